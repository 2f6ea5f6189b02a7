import Synchronization

/// Commits requests that arrive together in one transaction.
///
/// A request that finds fewer than ``concurrency`` commits running starts one with every request
/// waiting; requests that arrive while all run wait for the first to end and then go together in its
/// next transaction. So under load each transaction (and its fsync) serves many requests, and an idle
/// store commits a lone request at once. With more than one at a time, a commit can be executing while
/// another waits for the disk: PostgreSQL's commits take several round trips each, and running one at
/// a time left the server and the gateway waiting on each other.
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
        var running = 0
        var commits = 0
    }

    private let state = Mutex(State())
    /// The most transactions running at once.
    let concurrency: Int

    init(concurrency: Int = 1) {
        self.concurrency = max(1, concurrency)
    }

    /// Transactions committed (or attempted) so far.
    var commits: Int { state.withLock { $0.commits } }

    /// Requests waiting for a commit to take them.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// Waits until `request` is committed with whatever else arrived.
    ///
    /// The commit goes on when the caller's task is cancelled: once offered, a request is stored or fails.
    func submit(_ request: Request, commit: @escaping Commit) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { state in
                state.waiting.append(Waiting(request: request, continuation: continuation))
                guard state.running < concurrency else { return false }
                state.running += 1
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
                if group.isEmpty { state.running -= 1 } else { state.commits += 1 }
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
