import Synchronization
import Testing

@testable import GatewayDelivery

/// Group commits: at most `concurrency` transactions at once, and the requests that wait meanwhile go
/// together in the next.
struct GroupCommitterTests {
    @Test(arguments: [1, 2])
    func requestsArrivingWhileEveryCommitRunsGoTogetherNext(_ concurrency: Int) async throws {
        let committer = GroupCommitter<Int, Int>(concurrency: concurrency)
        let record = Record()
        let gate = AsyncSemaphore(permits: 0)
        let commit: GroupCommitter<Int, Int>.Commit = { group in
            record.began(group)
            try await gate.acquire()
            record.ended()
            return group.map { .success($0 * 10) }
        }
        var requests: [Task<Int, any Error>] = []
        // The first ones each start a commit while fewer than `concurrency` run.
        for request in 1...concurrency {
            requests.append(Task { try await committer.submit(request, commit: commit) })
            #expect(try await Support.eventually { record.groups.count == request })
        }
        // Every commit runs: these three wait.
        for request in concurrency + 1...concurrency + 3 {
            requests.append(Task { try await committer.submit(request, commit: commit) })
            #expect(try await Support.eventually { committer.waiting == request - concurrency })
        }
        #expect(record.groups.count == concurrency)
        gate.release(concurrency + 1)
        var answers: [Int] = []
        for request in requests { answers.append(try await request.value) }
        #expect(answers == (1...concurrency + 3).map { $0 * 10 })
        #expect(record.groups == (1...concurrency).map { [$0] } + [Array(concurrency + 1...concurrency + 3)])
        #expect(record.mostAtOnce == concurrency)
        #expect(committer.commits == concurrency + 1)
    }

    /// The groups committed, in the order they began, and how many ran at once at most.
    private final class Record: Sendable {
        private struct State {
            var groups: [[Int]] = []
            var running = 0
            var mostAtOnce = 0
        }

        private let state = Mutex(State())

        var groups: [[Int]] { state.withLock { $0.groups } }
        var mostAtOnce: Int { state.withLock { $0.mostAtOnce } }

        func began(_ group: [Int]) {
            state.withLock { state in
                state.groups.append(group)
                state.running += 1
                state.mostAtOnce = max(state.mostAtOnce, state.running)
            }
        }

        func ended() {
            state.withLock { $0.running -= 1 }
        }
    }
}
