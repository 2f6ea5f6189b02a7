import Synchronization

/// Commits requests that arrive together in one transaction.
///
/// A request that finds no commit running starts one with every request waiting; requests that arrive
/// while it runs wait for it to end and then go together in the next. So under load each transaction
/// (and its fsync) serves many requests, and an idle store commits a lone request at once.
final class GroupCommitter<Request: Sendable, Response: Sendable>: Sendable {
    /// Commits a group in one transaction: one result per request, in order (a request may fail alone,
    /// such as a full queue); throwing fails them all.
    typealias Commit = @Sendable ([Request]) async throws -> [Result<Response, any Error>]

    private struct Waiting {
        var request: Request
        var continuation: CheckedContinuation<Response, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var committing = false
        var commits = 0
    }

    private let state = Mutex(State())

    /// Transactions committed (or attempted) so far.
    var commits: Int { state.withLock { $0.commits } }

    /// Waits until `request` is committed with whatever else arrived.
    ///
    /// The commit goes on when the caller's task is cancelled: once offered, a request is stored or fails.
    func submit(_ request: Request, commit: @escaping Commit) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { state in
                state.waiting.append(Waiting(request: request, continuation: continuation))
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if starts { Task { await self.drain(commit) } }
        }
    }

    /// Commits groups until no request waits.
    private func drain(_ commit: Commit) async {
        while true {
            let group = state.withLock { state -> [Waiting] in
                let group = state.waiting
                state.waiting = []
                if group.isEmpty { state.committing = false } else { state.commits += 1 }
                return group
            }
            guard !group.isEmpty else { return }
            do {
                let results = try await commit(group.map(\.request))
                for (waiting, result) in zip(group, results) { waiting.continuation.resume(with: result) }
            } catch {
                for waiting in group { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
