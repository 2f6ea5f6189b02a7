import Foundation
import GatewayCore
import GatewayDelivery
import GatewayStubs
import Testing

extension StoreSuite {
    /// Both stores behind a real ``DeliveryWorker`` calling real stub functions: retry timing, dead letters
    /// as specified, and replay with its limit.
    struct StoreDeliveryTests {
        typealias T = StoreTesting

        /// Exact delays: the backoff's upper bound every time.
        static let policy = RetryPolicy(maxAttempts: 2, maxAge: .seconds(60), backoff: .milliseconds(300), maxBackoff: .seconds(1), maxRetryAfter: .seconds(5))

        /// Runs the store and a worker on it (store first, so it stops last) while `body` runs.
        static func withWorker<R>(_ configuration: DeliveryStoreConfiguration, policy: RetryPolicy = policy, _ body: (SQLDeliveryStore) async throws -> R)
            async throws -> R
        {
            let store = SQLDeliveryStore(configuration: configuration, logger: Support.quiet)
            return try await Support.withClient(Support.failFast) { client in
                let invoker = Invoker(client: client, logger: Support.quiet)
                let worker = DeliveryWorker(queue: store, invoker: invoker, configuration: .init(maxInFlight: 8, retry: policy, jitter: .fixed(1)), logger: Support.quiet)
                return try await Support.running([store, worker]) { try await body(store) }
            }
        }

        /// Waits until `condition` holds, for at most `timeout`.
        static func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return try await condition()
        }

        /// A stub whose answers follow `replies`, the last repeated.
        static func sequence(_ replies: [StubReply]) async throws -> StubFunction {
            let calls = Counter()
            return try await StubFunction.start { _ in replies[min(calls.next(), replies.count) - 1] }
        }

        static func gaps(_ requests: [RecordedRequest]) -> [Duration] {
            zip(requests.dropFirst(), requests).map { $0.receivedAt - $1.receivedAt }
        }

        @Test(arguments: StoreKind.allCases)
        func retriesHonourRetryAfterAndTheBackoff(_ kind: StoreKind) async throws {
            let limited = try await Self.sequence([StubReply(status: 429, headers: [HeaderField("Retry-After", "1")], body: Array("slow down".utf8)), .text("ok")])
            let flaky = try await Self.sequence([.text("oops", status: 500), .text("ok")])
            defer { Task { await limited.stop(); await flaky.stop() } }
            try await T.withDatabase(kind) { backend in
                try await Self.withWorker(T.configuration(backend)) { store in
                    try await store.enqueue([try T.invocation(1, function: "limited", url: limited.url), try T.invocation(2, function: "flaky", url: flaky.url)])
                    #expect(try await Self.eventually { try await store.status().total.depth == 0 })
                    #expect(try await store.deadLetters(.all) == [])
                }
            }
            let limitedGaps = Self.gaps(limited.requests)
            let flakyGaps = Self.gaps(flaky.requests)
            #expect(limitedGaps.count == 1)
            #expect(flakyGaps.count == 1)
            // Retry-After: 1 second; the backoff: 300 ms. The upper tolerance covers polling and a busy machine.
            #expect(limitedGaps.allSatisfy { $0 >= .milliseconds(950) && $0 < .seconds(4) }, "\(limitedGaps)")
            #expect(flakyGaps.allSatisfy { $0 >= .milliseconds(280) && $0 < .seconds(3) }, "\(flakyGaps)")
        }

        @Test(arguments: StoreKind.allCases)
        func failuresEndAsDeadLettersExactlyAsSpecified(_ kind: StoreKind) async throws {
            let refusal = Array("bad event: ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 2000)
            let refusing = try await StubFunction.start(reply: StubReply(status: 400, body: refusal))
            let hanging = try await StubFunction.start(reply: .text("too late", delay: .seconds(1)))
            let unavailable = try await StubFunction.start(reply: StubReply(status: 503, headers: [HeaderField("Retry-After", "3")], body: Array("unavailable".utf8)))
            let resetting = try await ResettingServer.start()
            defer { Task { await refusing.stop(); await hanging.stop(); await unavailable.stop(); await resetting.stop() } }
            try await T.withDatabase(kind) { backend in
                try await Self.withWorker(T.configuration(backend)) { store in
                    var hangs = try T.invocation(2, function: "hanging", url: hanging.url)
                    hangs.function.timeout = .milliseconds(200)
                    let old = try T.invocation(4, function: "old", url: unavailable.url, retry: RetrySettings(maxAttempts: 5, maxAge: .seconds(5)))
                    let invocations = [try T.invocation(1, function: "refusing", url: refusing.url), hangs, try T.invocation(3, function: "resetting", url: resetting.url), old]
                    try await store.enqueue(invocations)
                    #expect(try await Self.eventually { try await store.deadLetters(.all).count == 4 })
                    #expect(try await store.status().total == QueueStatus.Figures(depth: 0, inFlight: 0, deadLetters: 4, oldestAge: nil))
                    let letters = Dictionary(uniqueKeysWithValues: try await store.deadLetters(.all).map { ($0.invocation.function.name, $0) })

                    let refused = try #require(letters["refusing"])
                    #expect(refused.id == invocations[0].id)
                    #expect(refused.invocation == invocations[0])
                    #expect(refused.destination == refusing.url)
                    #expect(refused.status == 400)
                    #expect(refused.responseBody == Array(refusal.prefix(1024)))
                    #expect(refused.error == nil)
                    #expect(refused.attempts == 1)
                    #expect(refused.reason == .terminalStatus)
                    #expect(refused.firstAttemptAt == refused.lastAttemptAt)
                    #expect(refused.replays == 0)
                    #expect(try await store.deadLetter(id: refused.id) == refused)

                    let timedOut = try #require(letters["hanging"])
                    #expect(timedOut.status == nil)
                    #expect(timedOut.error?.isEmpty == false)
                    #expect(timedOut.attempts == 2)
                    #expect(timedOut.reason == .attempts)
                    // A 200 ms timeout, then 300 ms of backoff.
                    #expect(timedOut.lastAttemptAt.timeIntervalSince(timedOut.firstAttemptAt) >= 0.45)

                    let reset = try #require(letters["resetting"])
                    #expect(reset.status == nil)
                    #expect(reset.error?.isEmpty == false)
                    #expect(reset.attempts == 2)
                    #expect(reset.reason == .attempts)
                    #expect(resetting.resetCount == 2)

                    // 503 with Retry-After: 3, at once and 3 s later; a third try, 3 s later again, would pass the 5 s max age.
                    let aged = try #require(letters["old"])
                    #expect(aged.status == 503)
                    #expect(aged.responseBody == Array("unavailable".utf8))
                    #expect(aged.attempts == 2)
                    #expect(aged.reason == .maxAge)
                }
            }
            #expect(refusing.requests.count == 1)
            #expect(hanging.requests.count == 2)
            #expect(unavailable.requests.count == 2)
            #expect(Self.gaps(unavailable.requests).allSatisfy { $0 >= .milliseconds(2950) }, "\(Self.gaps(unavailable.requests))")
        }

        @Test(arguments: StoreKind.allCases)
        func deadLettersAreListedReplayedWithinTheLimitAndDropped(_ kind: StoreKind) async throws {
            let poison = try await StubFunction.start(reply: .text("never", status: 422))
            defer { Task { await poison.stop() } }
            try await T.withDatabase(kind) { backend in
                try await Self.withWorker(T.configuration(backend) { $0.maxReplays = 2 }) { store in
                    let bad = try T.invocation(1, function: "poison", url: poison.url)
                    let other = try T.invocation(2, function: "other", url: poison.url)
                    try await store.enqueue([bad, other])
                    #expect(try await Self.eventually { try await store.deadLetters(.all).count == 2 })
                    #expect(try await store.deadLetters(DeadLetterFilter(function: "other")).map(\.id) == [other.id])
                    #expect(try await store.deadLetters(DeadLetterFilter(since: Date().addingTimeInterval(60))) == [])
                    #expect(try await store.deadLetters(DeadLetterFilter(until: Date().addingTimeInterval(-60))) == [])
                    #expect(try await store.deadLetters(DeadLetterFilter(since: Date().addingTimeInterval(-60), until: Date().addingTimeInterval(60))).count == 2)

                    for replays in 1...2 {
                        #expect(try await store.replay(DeadLetterFilter(function: "poison")) == ReplayReport(replayed: [bad.id], refused: []))
                        #expect(try await Self.eventually { try await store.deadLetter(id: bad.id)?.replays == replays })
                    }
                    // Whole after going round twice: its function's definition and its payload (a column of its own) too.
                    #expect(try await store.deadLetter(id: bad.id)?.invocation == bad)
                    let refused = try await store.replay(DeadLetterFilter(function: "poison"))
                    #expect(refused == ReplayReport(replayed: [], refused: [.init(id: bad.id, replays: 2, limit: 2)]))
                    #expect(
                        refused.refused.map(\.description) == [
                            "dead letter \(bad.id) was replayed 2 times already, the limit is 2: not replayed (drop it, or fix the function and raise the limit)"
                        ])
                    #expect(try await store.deadLetter(id: other.id)?.replays == 0)

                    #expect(try await store.drop(id: other.id))
                    #expect(try await store.drop(id: other.id) == false)
                    #expect(try await store.deadLetter(id: other.id) == nil)
                    #expect(try await store.deadLetters(.all).map(\.id) == [bad.id])
                }
            }
            // The first attempt and two replays; "other" once.
            #expect(poison.requests.count == 4)
        }
    }
}
