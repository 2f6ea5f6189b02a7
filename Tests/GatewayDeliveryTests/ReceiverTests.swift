import Foundation
import GatewayCore
import GatewayDelivery
import GatewayStubs
import InMemoryLogging
import Logging
import ServiceLifecycle
import Testing

/// Results reach the log, metrics and a webhook.
struct ReceiverTests {
    @Test func everyResultIsLoggedWithItsMetadata() async throws {
        let logs = InMemoryLogHandler()
        try await StubFunction.withStub(reply: .text("no", status: 422)) { stub in
            try await Support.withInvoker(logger: Logger(label: "test", factory: { _ in logs })) { invoker in
                let function = FunctionSpec(name: "f", namespace: "ns", target: .http(url: stub.url))
                _ = await invoker.invokeAll([
                    Invocation(function: function, topics: ["orders", "audit"], envelopes: [try Support.order(id: "a"), try Support.order(id: "b")], payload: Support.payload("{}")),
                    Invocation(function: FunctionSpec(name: "bad", target: .http(url: "nope")), topics: ["orders"], envelopes: [], payload: Support.payload("{}")),
                ])
                await invoker.report([.noSubscribers(topics: ["lonely"], envelopeIDs: ["c"])])
            }
        }
        let entries = logs.entries
        #expect(entries.map(\.message.description) == ["function error", "failed: function bad has target URL \"nope\", which is not an absolute http or https URL", "no subscribers"])
        #expect(entries.allSatisfy { $0.level == .info })
        let first = entries[0].metadata
        #expect(first["function"] == "f.ns")
        #expect(first["topic"] == "orders,audit")
        #expect(first["event.id"] == "a,b")
        #expect(first["status"] == "422")
        #expect(first["outcome"] == "function_error")
        #expect(first["duration"] != nil)
        #expect(entries[1].metadata["error.code"] == "invalid_target")
        #expect(entries[1].metadata["status"] == "none")
        #expect(entries[2].metadata["function"] == "none")
        #expect(entries[2].metadata["outcome"] == "no_subscribers")
    }

    @Test func metricsCountOutcomesAndTimeCalls() async throws {
        let metrics = TestMetrics()
        try await StubFunction.withStub { stub in
            try await Support.withInvoker(receivers: [MetricsReceiver(factory: metrics)]) { invoker in
                let ok = FunctionSpec(name: "ok", target: .http(url: stub.url))
                let invocation = Invocation(function: ok, topics: ["t"], envelopes: [], payload: Support.payload("{}"))
                _ = await invoker.invokeAll([invocation, invocation])
                _ = await invoker.invoke(Invocation(function: FunctionSpec(name: "broken", target: .http(url: "x")), topics: ["t"], envelopes: []))
                await invoker.report([.noSubscribers(topics: ["t"], envelopeIDs: ["e"])])
            }
        }
        let counters = Dictionary(uniqueKeysWithValues: metrics.counterValues.map { ($0.key.description, $0.value) })
        #expect(
            counters == [
                "gateway_invocations_total{function=ok,outcome=delivered,status=200}": 2,
                "gateway_invocations_total{function=broken,outcome=failed,status=none}": 1,
                "gateway_invocations_total{function=none,outcome=no_subscribers,status=none}": 1,
            ])
        let timers = metrics.timerValues
        #expect(timers[TestMetrics.Key("gateway_invocation_duration", [("function", "ok"), ("outcome", "delivered")])]?.count == 2)
        #expect(timers[TestMetrics.Key("gateway_invocation_duration", [("function", "ok"), ("outcome", "delivered")])]?.allSatisfy { $0 > 0 } == true)
    }

    @Test func webhookGetsTheResultsAsJSON() async throws {
        try await StubFunction.withStub(reply: .text("hello")) { function in
            try await StubFunction.withStub { webhook in
                try await Support.withClient { client in
                    let receiver = WebhookReceiver(
                        configuration: .init(url: webhook.url + "/results", headers: [HeaderField("X-Token", "secret")]), client: client, logger: Support.quiet)
                    let invoker = Invoker(client: client, receivers: [receiver], logger: Support.quiet)
                    try await Support.running([receiver]) {
                        let results = await invoker.invokeAll([
                            Invocation(
                                function: FunctionSpec(name: "f", target: .http(url: function.url)), topics: ["t"], envelopes: [try Support.order()],
                                payload: Support.payload("{}")),
                            Invocation(function: FunctionSpec(name: "g", target: .http(url: "bad")), topics: ["t"], envelopes: []),
                        ])
                        let request = try #require(try await webhook.waitForRequests(count: 1).first)
                        #expect(request.method == "POST")
                        #expect(request.target == "/results")
                        #expect(request.values(of: "Content-Type") == ["application/json"])
                        #expect(request.values(of: "X-Token") == ["secret"])
                        let sent = try JSONDecoder().decode([InvocationResult].self, from: Data(request.body))
                        #expect(sent.count == 2)
                        for (sent, result) in zip(sent, results) {
                            var expected = result
                            expected.duration = sent.duration
                            #expect(sent == expected)
                            let drift = sent.duration - result.duration
                            #expect(drift < .microseconds(1) && drift > .microseconds(-1))
                        }
                        let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [[String: Any]])
                        #expect(json[0]["outcome"] as? String == "delivered")
                        #expect(json[0]["body"] as? String == "hello")
                        #expect(json[1]["outcome"] as? String == "failed")
                        #expect((json[1]["error"] as? [String: String])?["code"] == "invalid_target")
                    }
                }
            }
        }
    }

    @Test func webhookSendsWhatIsBufferedOnGracefulShutdown() async throws {
        try await StubFunction.withStub { webhook in
            try await Support.withClient { client in
                let receiver = WebhookReceiver(configuration: .init(url: webhook.url), client: client, logger: Support.quiet)
                // Buffered before the service even runs.
                for index in 0..<3 { await receiver.receive([.noSubscribers(topics: ["t\(index)"], envelopeIDs: [])]) }
                let group = ServiceGroup(services: [receiver], logger: Support.quiet)
                await group.triggerGracefulShutdown()
                try await group.run()
                let topics = try webhook.requests.map { try JSONDecoder().decode([InvocationResult].self, from: Data($0.body)).flatMap(\.topics) }
                #expect(topics == [["t0"], ["t1"], ["t2"]])
                // Stopped: later results are dropped, not sent, and nothing throws.
                await receiver.receive([.noSubscribers(topics: ["late"], envelopeIDs: [])])
                #expect(receiver.droppedBatches == 1)
            }
        }
    }

    @Test func webhookDropsWhenItsBufferIsFullAndSurvivesFailures() async throws {
        let logs = InMemoryLogHandler()
        let logger = Logger(label: "test", factory: { _ in logs })
        try await StubFunction.withStub(reply: .text("down", status: 500)) { webhook in
            try await Support.withClient { client in
                let receiver = WebhookReceiver(configuration: .init(url: webhook.url, bufferSize: 2), client: client, logger: logger)
                for index in 0..<3 { await receiver.receive([.noSubscribers(topics: ["t\(index)"], envelopeIDs: [])]) }
                #expect(receiver.droppedBatches == 1)
                let group = ServiceGroup(services: [receiver], logger: Support.quiet)
                await group.triggerGracefulShutdown()
                try await group.run()
                #expect(webhook.requests.count == 2)
            }
        }
        let warnings = logs.entries.filter { $0.level == .warning }.map(\.message.description)
        #expect(warnings == ["result webhook buffer full or stopped: dropped a batch of 1 result(s)", "result webhook answered 500", "result webhook answered 500"])
    }
}
