import Foundation
import GatewayCore
@testable import GatewayDelivery
import GatewayStubs
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The stores the shared suite runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A clock that moves only when told to.
final class ManualClock: Sendable {
    private let now = Mutex(Date(timeIntervalSince1970: 1_700_000_000))

    var date: Date { now.withLock { $0 } }
    var store: StoreClock { StoreClock { self.date } }

    func advance(_ duration: Duration) {
        now.withLock { $0 = $0.addingTimeInterval(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) }
    }
}

/// Fresh databases and running stores for the shared suite.
enum StoreTesting {
    /// Runs `body` with a database of its own: a new SQLite file (deleted afterwards), or a new
    /// database on the test PostgreSQL server.
    static func withDatabase<T>(_ kind: StoreKind, _ body: (DeliveryStoreConfiguration.Backend) async throws -> T) async throws -> T {
        switch kind {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            return try await body(.sqlite(path: path))
        case .postgres:
            return try await TestPostgres.withDatabase(prefix: "store_") { try await body(.postgres($0)) }
        }
    }

    /// A configuration for tests: quick polling, the given clock.
    static func configuration(
        _ backend: DeliveryStoreConfiguration.Backend, clock: StoreClock = .system, _ change: (inout DeliveryStoreConfiguration) -> Void = { _ in }
    ) -> DeliveryStoreConfiguration {
        var configuration = DeliveryStoreConfiguration(backend: backend, queue: QueuePolicy(pollInterval: .milliseconds(20)), clock: clock)
        change(&configuration)
        return configuration
    }

    /// Runs a store while `body` runs. Afterwards the store shuts down gracefully (releasing its leases),
    /// or, with `crash`, is cancelled: like a killed process, it leaves its leases to expire.
    @discardableResult
    static func withStore<T>(
        _ configuration: DeliveryStoreConfiguration, crash: Bool = false, logger: Logger = Support.quiet, _ body: (SQLDeliveryStore) async throws -> T
    ) async throws -> T {
        let store = SQLDeliveryStore(configuration: configuration, logger: logger)
        guard crash else { return try await Support.running([store]) { try await body(store) } }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    /// The next invocation, or nil when none comes within `timeout`.
    static func next(_ store: SQLDeliveryStore, within timeout: Duration) async throws -> QueuedInvocation? {
        try await next(store, upTo: 1, within: timeout).first
    }

    /// Up to `limit` invocations claimed together, or none when nothing is due within `timeout` (so that
    /// a claim that leaves nothing due fails the test instead of hanging it).
    static func next(_ store: SQLDeliveryStore, upTo limit: Int, within timeout: Duration) async throws -> [QueuedInvocation] {
        try await withThrowingTaskGroup(of: [QueuedInvocation].self) { group in
            group.addTask { try await store.next(upTo: limit) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return []
            }
            defer { group.cancelAll() }
            return try await group.next() ?? []
        }
    }

    /// Another process's view of `lost`, leased for 60 s by a process that crashed: still leased, then
    /// taken over once the lease ends, as its second attempt under a new receipt. Returns it unsettled.
    static func takeOver(_ lost: QueuedInvocation, in store: SQLDeliveryStore, clock: ManualClock) async throws -> QueuedInvocation {
        #expect(try await next(store, within: .milliseconds(200)) == nil)
        #expect(try await store.status().total.inFlight == 1)
        clock.advance(.seconds(61))
        let taken = try #require(try await next(store, within: .seconds(5)))
        #expect(taken.invocation == lost.invocation)
        // The lost attempt counts.
        #expect(taken.attempt == 2)
        #expect(taken.receipt != lost.receipt)
        return taken
    }

    /// Starts `next()` on `store` and returns once it has found nothing due and waits: an enqueue then
    /// hands its invocations over to it.
    static func waitingWorker(_ store: SQLDeliveryStore) async throws -> Task<QueuedInvocation?, any Error> {
        let worker = Task { try await next(store, within: .seconds(20)) }
        let deadline = ContinuousClock.now + .seconds(10)
        while !store.takesHandoffs {
            guard ContinuousClock.now < deadline else {
                worker.cancel()
                throw StubError("the worker did not start waiting for work within 10 seconds")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return worker
    }

    /// An invocation of function `function` carrying event `e<number>`: its id is derived from both.
    static func invocation(_ number: Int, function: String = "f", url: String = "http://127.0.0.1:9", retry: RetrySettings = RetrySettings())
        throws -> Invocation
    {
        var spec = FunctionSpec(name: function, target: .http(url: url), topics: ["orders"], timeout: .seconds(5), retry: retry)
        spec.concurrency = 4
        return Invocation(function: spec, topics: ["orders"], envelopes: [try Support.order(id: "e\(number)")], payload: Support.payload("{\"n\":\(number)}"))
    }
}

/// Every test of the durable stores, one at a time: each opens databases and fsyncs, and timing
/// tests among them should not compete with each other for two cores.
@Suite(.serialized) struct StoreSuite {}
