import GatewayCore
import GatewayDelivery
import GatewayStubs
import Testing

/// Fan-out is concurrent; each function's concurrency limit holds.
struct InvokerConcurrencyTests {
    @Test func concurrencyLimitIsNeverExceeded() async throws {
        try await StubFunction.withStub(reply: .text("ok", delay: .milliseconds(150))) { stub in
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
                // Three rounds of two.
                #expect(elapsed >= .milliseconds(450))
                // First come, first served.
                #expect(stub.requests.prefix(2).map(\.text).sorted() == [#"{"n":0}"#, #"{"n":1}"#])
            }
        }
    }

    @Test func fanOutIsConcurrentAndResultsKeepTheirOrder() async throws {
        let slow = try await StubFunction.start(reply: .text("slow", delay: .milliseconds(200)))
        let fast = try await StubFunction.start(reply: .text("fast", delay: .milliseconds(200)))
        defer {
            Task {
                await slow.stop()
                await fast.stop()
            }
        }
        try await Support.withInvoker { invoker in
            let invocations = [
                Invocation(function: FunctionSpec(name: "slow", target: .http(url: slow.url)), topics: ["t"], envelopes: [], payload: Support.payload("{}")),
                Invocation(function: FunctionSpec(name: "fast", target: .http(url: fast.url)), topics: ["t"], envelopes: [], payload: Support.payload("{}")),
            ]
            // Warm the connections so that the timing measures the calls only.
            _ = await invoker.invokeAll(invocations)
            let started = ContinuousClock.now
            let results = await invoker.invokeAll(invocations)
            let elapsed = ContinuousClock.now - started
            #expect(results.map(\.function) == ["slow", "fast"])
            #expect(results.map { String(decoding: $0.body, as: UTF8.self) } == ["slow", "fast"])
            // One after the other they would take 400 ms; the margin is for a loaded machine.
            #expect(elapsed < .milliseconds(390), "two 200 ms calls took \(elapsed)")
        }
    }

    @Test func waitingForASlotCountsAgainstTheTimeout() async throws {
        try await StubFunction.withStub(reply: .text("ok", delay: .milliseconds(600))) { stub in
            try await Support.withInvoker { invoker in
                let patient = FunctionSpec(name: "one", target: .http(url: stub.url), timeout: .seconds(5), concurrency: 1)
                var hasty = patient
                hasty.timeout = .milliseconds(150)
                let first = Task { await invoker.invoke(Invocation(function: patient, topics: ["t"], envelopes: [], payload: Support.payload("1"))) }
                try await stub.waitForRequests(count: 1)
                let second = await invoker.invoke(Invocation(function: hasty, topics: ["t"], envelopes: [], payload: Support.payload("2")))
                #expect(second.error?.code == .timeout)
                #expect(second.error?.message == "one had 1 call(s) in flight for all of 0.15 seconds (concurrency 1); the call was not sent")
                #expect(await first.value.outcome == .delivered)
                #expect(stub.requests.map(\.text) == ["1"])
            }
        }
    }
}
