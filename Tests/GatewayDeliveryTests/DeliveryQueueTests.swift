import AsyncHTTPClient
import GatewayCore
import GatewayDelivery
import GatewayStubs
import InMemoryLogging
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The in-memory queue and the worker that drains the queue (retry policy: RetryPolicyTests).
struct DeliveryQueueTests {
    static func invocation(_ number: Int, url: String = "http://127.0.0.1:9") -> Invocation {
        Invocation(function: FunctionSpec(name: "f", target: .http(url: url)), topics: ["t"], envelopes: [], payload: Support.payload("{\"n\":\(number)}"), id: "i\(number)")
    }

    static func failed(status: Int? = nil, code: InvocationError.Code? = nil, retryAfter: String? = nil) -> InvocationResult {
        InvocationResult(
            invocationID: "i", function: "f", topics: [], envelopeIDs: [], status: status, headers: retryAfter.map { [HeaderField("Retry-After", $0)] } ?? [],
            error: code.map { InvocationError($0, "test") })
    }

    @Test func firstInFirstOutAndAllOrNothingWhenFull() async throws {
        let queue = InMemoryDeliveryQueue(capacity: 3)
        try await queue.enqueue([Self.invocation(1), Self.invocation(2)])
        await #expect(throws: QueueFullError(capacity: 3, held: 2, offered: 2)) { try await queue.enqueue([Self.invocation(3), Self.invocation(4)]) }
        #expect(queue.count == 2)
        #expect(QueueFullError(capacity: 3, held: 2, offered: 2).description == "the delivery queue is full: it holds 2 of 3 invocations and cannot take 2 more; retry later")

        let first = try #require(try await queue.next())
        #expect(first.invocation.id == "i1")
        #expect(first.attempt == 1)
        // Leased invocations still count against the capacity.
        try await queue.enqueue([Self.invocation(3)])
        await #expect(throws: QueueFullError.self) { try await queue.enqueue([Self.invocation(4)]) }
        try await queue.ack(first)
        #expect(queue.count == 2)
        #expect(try await queue.next()?.invocation.id == "i2")
        #expect(try await queue.next()?.invocation.id == "i3")
    }

    @Test func nextWaitsForWorkAndCanBeCancelled() async throws {
        let queue = InMemoryDeliveryQueue()
        let waiting = Task { try await queue.next() }
        try await Task.sleep(for: .milliseconds(50))
        try await queue.enqueue([Self.invocation(1)])
        #expect(try await waiting.value?.invocation.id == "i1")

        let cancelled = Task { try await queue.next() }
        try await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        // The cancelled waiter took nothing.
        try await queue.enqueue([Self.invocation(2)])
        #expect(try await queue.next()?.invocation.id == "i2")
    }

    @Test func failuresAreRetriedAfterTheirDelayOrDeadLettered() async throws {
        let queue = InMemoryDeliveryQueue(deadLetterCapacity: 1)
        try await queue.enqueue([Self.invocation(1), Self.invocation(2), Self.invocation(3)])
        let first = try #require(try await queue.next())
        let started = ContinuousClock.now
        try await queue.retry(first, result: Self.failed(status: 503), after: .milliseconds(100))
        #expect(queue.count == 3)
        #expect(try await queue.next()?.invocation.id == "i2")
        #expect(try await queue.next()?.invocation.id == "i3")
        let retried = try #require(try await queue.next())
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        #expect(retried.invocation.id == "i1")
        #expect(retried.attempt == 2)

        try await queue.deadLetter(retried, result: Self.failed(status: 400), reason: .terminalStatus)
        #expect(queue.deadLetters.map(\.invocation.id) == ["i1"])
        #expect(queue.deadLetters.first?.attempts == 2)
        #expect(queue.deadLetters.first?.result.status == 400)
        #expect(queue.deadLetters.first?.reason == .terminalStatus)
    }

    @Test func workerDeliversEverythingWithinItsInFlightLimit() async throws {
        // Calls long enough to overlap on a loaded machine.
        try await StubFunction.withStub(reply: .text("ok", delay: .milliseconds(250))) { stub in
            let receiver = RecordingReceiver()
            try await Support.withInvoker(receivers: [receiver]) { invoker in
                let queue = InMemoryDeliveryQueue()
                let worker = DeliveryWorker(queue: queue, invoker: invoker, configuration: .init(maxInFlight: 2), logger: Support.quiet)
                try await Support.running([worker]) {
                    try await queue.enqueue((0..<6).map { Self.invocation($0, url: stub.url) })
                    try await stub.waitForRequests(count: 6)
                    #expect(try await Support.eventually { queue.count == 0 })
                }
                #expect(stub.maxConcurrentRequests == 2)
                // Two at a time, so neighbours may swap.
                #expect(stub.requests.map(\.text).sorted() == (0..<6).map { "{\"n\":\($0)}" })
                #expect(receiver.results.map(\.outcome) == Array(repeating: .delivered, count: 6))
            }
        }
    }

    @Test func workerRetriesAndDeadLetters() async throws {
        let calls = Counter()
        let stub = try await StubFunction.start { request in
            if request.path == "/refuse" { return .text("bad event", status: 400) }
            return calls.next() == 1 ? .text("warming up", status: 503) : .text("ok")
        }
        defer { Task { await stub.stop() } }
        try await Support.withInvoker { invoker in
            let queue = InMemoryDeliveryQueue()
            let worker = DeliveryWorker(
                queue: queue, invoker: invoker, configuration: .init(retry: RetryPolicy(backoff: .milliseconds(20)), jitter: .fixed(1)), logger: Support.quiet)
            try await Support.running([worker]) {
                try await queue.enqueue([Self.invocation(1, url: stub.url + "/flaky"), Self.invocation(2, url: stub.url + "/refuse")])
                #expect(try await Support.eventually { queue.count == 0 })
            }
            #expect(stub.requests.map(\.path).sorted() == ["/flaky", "/flaky", "/refuse"])
            #expect(queue.deadLetters.map(\.invocation.id) == ["i2"])
            #expect(queue.deadLetters.first?.attempts == 1)
        }
    }

    /// An in-memory queue whose first `next()` fails, like a store whose database is restarting.
    final class FailingOnceQueue: DeliveryQueue {
        struct StoreDown: Error {}
        let queue = InMemoryDeliveryQueue()
        let calls = Counter()

        @discardableResult
        func enqueue(_ invocations: [Invocation]) async throws -> EnqueueReceipt { try await queue.enqueue(invocations) }
        func next() async throws -> QueuedInvocation? {
            if calls.next() == 1 { throw StoreDown() }
            return try await queue.next()
        }
        func ack(_ item: QueuedInvocation) async throws { try await queue.ack(item) }
        func retry(_ item: QueuedInvocation, result: InvocationResult, after delay: Duration) async throws {
            try await queue.retry(item, result: result, after: delay)
        }
        func deadLetter(_ item: QueuedInvocation, result: InvocationResult, reason: DeadLetterReason) async throws {
            try await queue.deadLetter(item, result: result, reason: reason)
        }
    }

    @Test func workerOutlivesAFailingQueue() async throws {
        let logs = InMemoryLogHandler()
        try await StubFunction.withStub { stub in
            try await Support.withInvoker { invoker in
                let queue = FailingOnceQueue()
                let worker = DeliveryWorker(queue: queue, invoker: invoker, logger: Logger(label: "test", factory: { _ in logs }))
                try await Support.running([worker]) {
                    try await queue.enqueue([Self.invocation(1, url: stub.url)])
                    try await stub.waitForRequests(count: 1)
                }
            }
        }
        #expect(logs.entries.map(\.message.description) == ["delivery queue failed: StoreDown(); trying again in 1.0 seconds"])
        #expect(logs.entries.first?.level == .error)
    }

    @Test func gracefulShutdownFinishesCallsInFlightAndTakesNoMore() async throws {
        try await StubFunction.withStub(reply: .text("done", delay: .milliseconds(400))) { stub in
            let receiver = RecordingReceiver()
            try await Support.withInvoker(receivers: [receiver]) { invoker in
                let queue = InMemoryDeliveryQueue()
                let worker = DeliveryWorker(queue: queue, invoker: invoker, configuration: .init(maxInFlight: 2), logger: Support.quiet)
                try await Support.running([worker]) {
                    try await queue.enqueue((0..<5).map { Self.invocation($0, url: stub.url) })
                    try await stub.waitForRequests(count: 2)
                }
                // The two calls in flight finished and were acknowledged; the other three wait in the queue.
                #expect(receiver.results.map(\.outcome) == [.delivered, .delivered])
                #expect(receiver.results.map { String(decoding: $0.body, as: UTF8.self) } == ["done", "done"])
                #expect(stub.requests.count == 2)
                #expect(queue.count == 3)
            }
        }
    }

    @Test func httpClientServiceShutsTheClientDownWithTheGroup() async throws {
        let service = HTTPClientService(logger: Support.quiet)
        try await Support.running([service]) {
            try await StubFunction.withStub { stub in
                let invoker = Invoker(client: service.client, logger: Support.quiet)
                let result = await invoker.invoke(Invocation(function: FunctionSpec(name: "f", target: .http(url: stub.url)), topics: [], envelopes: [], payload: Support.payload("{}")))
                #expect(result.outcome == .delivered)
            }
        }
        // A client that was shut down refuses a second shutdown.
        await #expect(throws: (any Error).self) { try await service.client.shutdown() }
    }
}
