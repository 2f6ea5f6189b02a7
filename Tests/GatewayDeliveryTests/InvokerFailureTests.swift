import GatewayCore
import GatewayDelivery
import GatewayStubs
import Testing

/// Failures are results: error statuses, unreachable functions, timeouts, oversize answers, bad targets.
struct InvokerFailureTests {
    @Test func errorStatusIsAFunctionErrorWithTheAnswerKept() async throws {
        let reply = StubReply(status: 503, headers: [HeaderField("Retry-After", "7"), HeaderField("X-Reason", "overloaded")], body: Array("busy".utf8))
        try await StubFunction.withStub(reply: reply) { stub in
            try await Support.withInvoker { invoker in
                let result = await invoker.invoke(
                    Invocation(function: FunctionSpec(name: "f", target: .http(url: stub.url)), topics: ["t"], envelopes: [], payload: Support.payload("{}")))
                #expect(result.outcome == .functionError)
                #expect(result.status == 503)
                #expect(result.body == Array("busy".utf8))
                #expect(result.header("retry-after") == "7")
                #expect(result.header("X-Reason") == "overloaded")
                #expect(result.error == nil)
            }
        }
    }

    /// Port 9 (discard), where nothing listens here: a stub's port, freed, could be taken by a test
    /// running alongside.
    @Test func unreachableFunctionFailsWithTheConnectorSDKsMessage() async throws {
        let url = "http://127.0.0.1:9/gone"
        try await Support.withClient(Support.failFast) { client in
            let invoker = Invoker(client: client, logger: Support.quiet)
            let result = await invoker.invoke(
                Invocation(function: FunctionSpec(name: "gone", target: .http(url: url)), topics: ["t"], envelopes: [], payload: Support.payload("{}")))
            #expect(result.outcome == .failed)
            #expect(result.status == nil)
            #expect(result.function == "gone")
            #expect(result.topics == ["t"])
            let error = try #require(result.error)
            #expect(error.code == .unreachable)
            #expect(error.message.hasPrefix("unable to reach endpoint \(url): "))
        }
    }

    @Test func slowFunctionTimesOutAndTheCallIsCancelled() async throws {
        let stub = try await StubFunction.start { request in
            request.path == "/warm" ? .text("ready") : .text("late", delay: .seconds(60))
        }
        defer { Task { await stub.stop() } }
        try await Support.withInvoker { invoker in
            // A connection made beforehand, so that the timed call reaches the stub quickly.
            let warm = FunctionSpec(name: "warm", target: .http(url: stub.url + "/warm"))
            #expect(await invoker.invoke(Invocation(function: warm, topics: [], envelopes: [], payload: Support.payload("{}"))).outcome == .delivered)
            stub.clearRequests()
            let function = FunctionSpec(name: "slow", target: .http(url: stub.url), timeout: .milliseconds(300))
            let started = ContinuousClock.now
            let result = await invoker.invoke(Invocation(function: function, topics: ["t"], envelopes: [], payload: Support.payload("{}")))
            let elapsed = ContinuousClock.now - started
            #expect(result.outcome == .failed)
            #expect(result.error?.code == .timeout)
            #expect(result.error?.message == "no answer from \(stub.url) within 0.3 seconds; the request was cancelled")
            // Well before the stub's answer: in a full parallel test run, CPU-heavy suites can hold Swift
            // concurrency's two threads for seconds before this task resumes (3.3 s seen in a clean run,
            // 6.2 s in another), so the margin is half a minute.
            #expect(elapsed < .seconds(30))
            #expect(result.duration >= .milliseconds(300))
            // The request went out; the stub records it in a task of its own, which a loaded test run may
            // start only after the timeout.
            _ = try await stub.waitForRequests(count: 1, timeout: .seconds(10))
            #expect(stub.requests.map(\.path) == ["/"])
        }
    }

    @Test func oversizeAnswerFailsButKeepsTheStatus() async throws {
        try await StubFunction.withStub(reply: StubReply(body: [UInt8](repeating: 65, count: 4096))) { stub in
            try await Support.withInvoker(.init(maxResponseBytes: 1024)) { invoker in
                let result = await invoker.invoke(
                    Invocation(function: FunctionSpec(name: "big", target: .http(url: stub.url)), topics: ["t"], envelopes: [], payload: Support.payload("{}")))
                #expect(result.outcome == .failed)
                #expect(result.status == 200)
                #expect(result.body.isEmpty)
                #expect(result.error == InvocationError(.responseTooLarge, "the answer from \(stub.url) is larger than the limit of 1024 bytes"))
            }
        }
    }

    @Test(arguments: ["not a url", "ftp://example.com/x", "http://", "/relative/path", "HTTP://", "http://:80/x", "http:///path", "https://?q"])
    func invalidTargetURLsFailWithoutACall(_ url: String) async throws {
        try await Support.withInvoker { invoker in
            let result = await invoker.invoke(
                Invocation(function: FunctionSpec(name: "bad", target: .http(url: url)), topics: ["t"], envelopes: [], payload: Support.payload("{}")))
            #expect(result.outcome == .failed)
            #expect(result.url == nil)
            #expect(result.error == InvocationError(.invalidTarget, "function bad has target URL \"\(url)\", which is not an absolute http or https URL"))
        }
    }

    @Test func formatsThatCannotBeBuiltFailClearly() async throws {
        try await Support.withInvoker { invoker in
            let original = await invoker.invoke(
                Invocation(function: FunctionSpec(name: "o", target: .http(url: "http://127.0.0.1:9")), topics: ["t"], envelopes: [try Support.order()]))
            #expect(
                original.error
                    == InvocationError(.invalidInvocation, "function o takes the trigger's body (body: original) but the invocation carries none"))

            let two = [try Support.order(id: "a"), try Support.order(id: "b")]
            let structured = await invoker.invoke(
                Invocation(function: FunctionSpec(name: "ce", target: .http(url: "http://127.0.0.1:9"), body: .cloudevent), topics: ["t"], envelopes: two))
            #expect(structured.error?.code == .invalidInvocation)
            #expect(structured.error?.message.contains("takes one event per request (cloudevent format) but the invocation carries 2") == true)
        }
    }

    @Test func cancellingTheCallerCancelsTheCall() async throws {
        // The stub answers long after the cancellation: a loaded test run can hold this task for seconds before
        // the request even leaves (4.3 s seen in CI with a 5 s answer).
        try await StubFunction.withStub(reply: .text("late", delay: .seconds(30))) { stub in
            try await Support.withInvoker { invoker in
                let function = FunctionSpec(name: "slow", target: .http(url: stub.url))
                let task = Task { await invoker.invoke(Invocation(function: function, topics: ["t"], envelopes: [], payload: Support.payload("{}"))) }
                try await stub.waitForRequests(count: 1, timeout: .seconds(20))
                let cancelled = ContinuousClock.now
                task.cancel()
                let result = await task.value
                #expect(result.outcome == .failed)
                #expect(result.error?.code == .cancelled)
                #expect(ContinuousClock.now - cancelled < .seconds(10))
                #expect(result.duration < .seconds(20))
            }
        }
    }

    @Test func noSubscribersIsAResultToo() async throws {
        let receiver = RecordingReceiver()
        try await Support.withInvoker(receivers: [receiver]) { invoker in
            await invoker.report([.noSubscribers(topics: ["nobody"], envelopeIDs: ["e1"])])
        }
        let result = try #require(receiver.results.first)
        #expect(result.outcome == .noSubscribers)
        #expect(result.function == nil)
        #expect(result.topics == ["nobody"])
        #expect(result.envelopeIDs == ["e1"])
        #expect(result.status == nil)
    }
}
