import GatewayStubs
import Testing

@testable import GatewayDelivery

/// Group commits: at most `concurrency` transactions at once, and the requests that wait meanwhile go
/// together in the next.
struct GroupCommitterTests {
    @Test(arguments: [1, 2])
    func requestsArrivingWhileEveryCommitRunsGoTogetherNext(_ concurrency: Int) async throws {
        let committer = GroupCommitter<Int, Int>(concurrency: concurrency)
        // The groups committed, in the order they began.
        let groups = Locked<[[Int]]>([])
        let gate = AsyncSemaphore(permits: 0)
        let commit: GroupCommitter<Int, Int>.Commit = { group in
            groups.withLock { $0.append(group) }
            try await gate.acquire()
            return group.map { .success($0 * 10) }
        }
        var requests: [Task<Int, any Error>] = []
        // The first ones each start a commit while fewer than `concurrency` run.
        for request in 1...concurrency {
            requests.append(Task { try await committer.submit(request, commit: commit) })
            #expect(try await Support.eventually { groups.value.count == request })
        }
        // Every commit runs: these three wait (a fourth commit would take the first of them).
        for request in concurrency + 1...concurrency + 3 {
            requests.append(Task { try await committer.submit(request, commit: commit) })
            #expect(try await Support.eventually { committer.waiting == request - concurrency })
        }
        #expect(groups.value.count == concurrency)
        gate.release(concurrency + 1)
        var answers: [Int] = []
        for request in requests { answers.append(try await request.value) }
        #expect(answers == (1...concurrency + 3).map { $0 * 10 })
        #expect(groups.value == (1...concurrency).map { [$0] } + [Array(concurrency + 1...concurrency + 3)])
        #expect(committer.commits == concurrency + 1)
    }
}
