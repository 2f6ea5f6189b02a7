import GatewayCore
import GatewayDelivery
import GatewayStubs
import Testing

/// Fan-out is concurrent; each function's concurrency limit holds.
struct InvokerConcurrencyTests {
    @Test func concurrencyLimitIsNeverExceeded() async throws {
        // Calls long enough that the first two overlap even when other suites hold the test process's threads.
        try await StubFunction.withStub(reply: .text("ok", delay: .seconds(1))) { stub in
            try await Support.withInvoker { invoker in
                let function = FunctionSpec(name: "limited", target: .http(url: stub.url), concurrency: 2)
                let invocations = (0..<6).map {
                    Invocation(function: function, topics: ["t"], envelopes: [], payload: Support.payload("{\"n\":\($0)}"), id: "call-\($0)")
                }
                let started = ContinuousClock.now
                let results = await invoker.invokeAll(invocations)
                let elapsed = ContinuousClock.now - started
                #expect(results.map(\.outcome) == Array(repeating: .delivered, count: 6))
                #expect(results.map(\.invocationID) == invocations.map(\.id))
                #expect(stub.requests.count == 6)
                #expect(stub.maxConcurrentRequests == 2)
                // Three rounds of two. (Waiting calls are served in the order they asked, which AsyncSemaphoreTests
                // checks; the order in which a task group's children start is the runtime's.)
                #expect(elapsed >= .seconds(3))
            }
        }
    }

    @Test func fanOutIsConcurrentAndResultsKeepTheirOrder() async throws {
        // One stub serves both functions and counts the calls it holds at once. Answers take long enough that
        // the two overlap even when other suites hold the test process's threads for seconds.
        let stub = try await StubFunction.start { request in .text(String(request.target.dropFirst()), delay: .seconds(5)) }
        defer { Task { await stub.stop() } }
        try await Support.withInvoker { invoker in
            let invocations = ["slow", "fast"].map {
                Invocation(function: FunctionSpec(name: $0, target: .http(url: stub.url + "/" + $0)), topics: ["t"], envelopes: [], payload: Support.payload("{}"))
            }
            let results = await invoker.invokeAll(invocations)
            #expect(results.map(\.function) == ["slow", "fast"])
            #expect(results.map { String(decoding: $0.body, as: UTF8.self) } == ["slow", "fast"])
            #expect(stub.maxConcurrentRequests == 2)
        }
    }

    @Test func waitingForASlotCountsAgainstTheTimeout() async throws {
        // The first call holds the only slot far longer than the second may wait, even if this process's threads
        // are busy with other suites for seconds between the two calls.
        try await StubFunction.withStub(reply: .text("ok", delay: .seconds(10))) { stub in
            try await Support.withInvoker { invoker in
                let patient = FunctionSpec(name: "one", target: .http(url: stub.url), timeout: .seconds(20), concurrency: 1)
                var hasty = patient
                hasty.timeout = .milliseconds(150)
                let first = Task { await invoker.invoke(Invocation(function: patient, topics: ["t"], envelopes: [], payload: Support.payload("1"))) }
                try await stub.waitForRequests(count: 1)
                let second = await invoker.invoke(Invocation(function: hasty, topics: ["t"], envelopes: [], payload: Support.payload("2")))
                #expect(second.error?.code == .timeout)
                #expect(second.error?.message == "one had 1 call(s) in flight for all of 0.15 seconds (concurrency 1); the call was not sent")
                #expect(stub.requests.map(\.text) == ["1"])
                first.cancel()
                #expect(await first.value.error?.code == .cancelled)
            }
        }
    }
}
