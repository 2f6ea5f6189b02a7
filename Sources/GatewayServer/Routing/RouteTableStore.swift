public import Foundation
public import GatewayCore
import Synchronization

/// Holds the route table in use and replaces it when the routes folder reloads.
///
/// Readers take ``table`` once and match against it for as long as they need: a reload builds a new
/// table and swaps the reference, so a match that started on the old table finishes on it. A folder
/// with errors never replaces a good table: the last good one stays, and ``status`` records the errors.
public final class RouteTableStore: Sendable {
    /// The routes folder.
    public let directory: String

    private struct State {
        var table: RouteTable
        var status: RouteTableStatus
        /// The folder as it was just before the last load attempt began.
        var fingerprint: RouteFolderFingerprint?
    }

    private let state: Mutex<State>
    /// Held for a whole reload, so that two reloads cannot finish in the opposite order to the one
    /// they read the folder in. Readers never take it.
    private let reloading = Mutex(())

    /// Loads `directory` now.
    ///
    /// When the first load fails the store starts with an empty table (version 0) and the errors in
    /// ``status``; the gateway runs and routes nothing until a reload succeeds.
    ///
    /// - Parameter directory: The routes folder (every `*.yaml` under it, recursively).
    public init(directory: String) {
        self.directory = directory
        self.state = Mutex(State(table: .empty, status: RouteTableStatus(), fingerprint: nil))
        reload()
    }

    /// The table in use. Keep the reference for a whole match; read it again for the next one.
    public var table: RouteTable {
        state.withLock { $0.table }
    }

    /// Version, size and the outcome of the last load attempt.
    public var status: RouteTableStatus {
        state.withLock { $0.status }
    }

    /// The folder's fingerprint taken before the last load attempt; nil before the first.
    var fingerprint: RouteFolderFingerprint? {
        state.withLock { $0.fingerprint }
    }

    /// Reads the folder again. On success the new table replaces the current one and the version goes
    /// up by one; on failure the current table stays and the errors are recorded.
    ///
    /// - Returns: What happened, with the status after the attempt.
    @discardableResult
    public func reload() -> RouteReloadOutcome {
        reloading.withLock { _ in
            // Fingerprint first: a change made while loading shows up as a difference on the next poll.
            let fingerprint = RouteFolderFingerprint(directory: directory)
            let attempt = Date()
            let result = Result { () throws(RouteErrors) in try RouteLoader.load(directory: directory) }
            return state.withLock { state in
                state.fingerprint = fingerprint
                state.status.lastAttemptAt = attempt
                switch result {
                case .success(let table):
                    state.table = table
                    state.status.version += 1
                    state.status.loadedAt = attempt
                    state.status.routeCount = table.routes.count
                    state.status.testCount = table.tests.count
                    state.status.fileCount = table.files.count
                    state.status.lastErrors = []
                    return .loaded(state.status)
                case .failure(let errors):
                    state.status.lastErrors = errors.errors
                    return .failed(errors, state.status)
                }
            }
        }
    }
}

/// What the store holds and how the last load attempt went.
public struct RouteTableStatus: Sendable, Hashable {
    /// Goes up by one with every successful load; 0 until the first one.
    public var version: Int
    /// When the table in use was loaded; nil until a load succeeds.
    public var loadedAt: Date?
    /// Routes in the table in use.
    public var routeCount: Int
    /// `tests:` entries in the table in use.
    public var testCount: Int
    /// Route files the table in use was read from.
    public var fileCount: Int
    /// When the folder was last read, successfully or not.
    public var lastAttemptAt: Date?
    /// The errors of the last attempt; empty when it succeeded.
    public var lastErrors: [RouteError]

    public init(
        version: Int = 0, loadedAt: Date? = nil, routeCount: Int = 0, testCount: Int = 0, fileCount: Int = 0, lastAttemptAt: Date? = nil,
        lastErrors: [RouteError] = []
    ) {
        self.version = version
        self.loadedAt = loadedAt
        self.routeCount = routeCount
        self.testCount = testCount
        self.fileCount = fileCount
        self.lastAttemptAt = lastAttemptAt
        self.lastErrors = lastErrors
    }
}

/// The result of ``RouteTableStore/reload()``.
public enum RouteReloadOutcome: Sendable {
    /// The folder loaded; the new table is in use.
    case loaded(RouteTableStatus)
    /// The folder has errors; the previous table stays in use.
    case failed(RouteErrors, RouteTableStatus)

    /// The store's status after the attempt.
    public var status: RouteTableStatus {
        switch self {
        case .loaded(let status), .failed(_, let status): status
        }
    }
}
