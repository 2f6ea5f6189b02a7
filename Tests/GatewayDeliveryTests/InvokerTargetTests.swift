import GatewayCore
import GatewayDelivery
import GatewayStubs
import InMemoryLogging
import Logging
import Testing

/// Each target and body format: the exact request that reaches the function.
struct InvokerTargetTests {
    @Test func httpTargetGetsTheOriginalBodyAndTheGatewayHeaders() async throws {
        try await StubFunction.withStub(reply: .text("thanks")) { stub in
            try await Support.withInvoker { invoker in
                let function = FunctionSpec(name: "orders", target: .http(url: stub.url + "/hooks/orders?tenant=a"), topics: ["orders"])
                let body = #"{"records":[{"id":1}]}"#
                let invocation = Invocation(
                    function: function, topics: ["orders", "audit"], envelopes: [try Support.order()], payload: Support.payload(body))
                let result = await invoker.invoke(invocation)

                #expect(result.outcome == .delivered)
                #expect(result.status == 200)
                #expect(result.body == Array("thanks".utf8))
                #expect(result.header("content-type") == "text/plain")
                #expect(result.function == "orders")
                #expect(result.topics == ["orders", "audit"])
                #expect(result.envelopeIDs == ["order-1"])
                #expect(result.url == stub.url + "/hooks/orders?tenant=a")
                #expect(result.invocationID == invocation.id)
                #expect(result.error == nil)

                let request = try #require(stub.requests.first)
                #expect(stub.requests.count == 1)
                #expect(request.method == "POST")
                #expect(request.target == "/hooks/orders?tenant=a")
                #expect(request.text == body)
                #expect(request.header("Content-Length") == String(body.utf8.count))
                #expect(
                    Support.sentHeaders(request) == [
                        HeaderField("Content-Type", "application/json"), HeaderField("X-Topic", "orders"),
                        HeaderField("X-Connector", "event-gateway"), HeaderField("User-Agent", "event-gateway"),
                    ])
            }
        }
    }

    @Test(arguments: [InvocationMode.sync, .async])
    func openFaaSTargetKeepsTheGatewayPathPrefix(mode: InvocationMode) async throws {
        let gateway = try await StubOpenFaaSGateway.start(pathPrefix: "/openfaas")
        defer { Task { await gateway.stop() } }
        try await Support.withInvoker(.init(callbackURL: "http://callbacks.local/gateway-wide")) { invoker in
            let function = FunctionSpec(name: "resize", namespace: "images", target: .openfaas(gateway: gateway.url + "/"), topics: ["uploads"], mode: mode)
            let result = await invoker.invoke(
                Invocation(function: function, topics: ["uploads"], envelopes: [try Support.order()], payload: Support.payload("raw", contentType: "text/plain")))
            let request = try #require(gateway.invocations.first)
            switch mode {
            case .sync:
                #expect(request.target == "/openfaas/function/resize.images")
                #expect(result.status == 200)
                #expect(request.values(of: "X-Callback-Url").isEmpty)
            case .async:
                #expect(request.target == "/openfaas/async-function/resize.images")
                #expect(result.status == 202)
                #expect(request.values(of: "X-Callback-Url") == ["http://callbacks.local/gateway-wide"])
            }
            #expect(result.outcome == .delivered)
            #expect(request.text == "raw")
            #expect(request.values(of: "Authorization").isEmpty)
        }
    }

    @Test func asyncOpenFaaSCallsPreferTheFunctionsCallback() async throws {
        let gateway = try await StubOpenFaaSGateway.start()
        defer { Task { await gateway.stop() } }
        try await Support.withInvoker(.init(callbackURL: "http://callbacks.local/gateway-wide")) { invoker in
            let function = FunctionSpec(
                name: "resize", target: .openfaas(gateway: gateway.url), mode: .async, callbackURL: "http://callbacks.local/resize")
            _ = await invoker.invoke(Invocation(function: function, topics: [], envelopes: [try Support.order()], payload: Support.payload("{}")))
            let request = try #require(gateway.invocations.first)
            #expect(request.target == "/async-function/resize")
            #expect(request.values(of: "X-Callback-Url") == ["http://callbacks.local/resize"])
            // Called by name: no topic, so no X-Topic.
            #expect(request.values(of: "X-Topic").isEmpty)
        }
    }

    @Test func cloudEventsSinkGetsBinaryModeThatReadsBackAsTheSameEvent() async throws {
        try await StubFunction.withStub(reply: StubReply(status: 202)) { stub in
            try await Support.withInvoker { invoker in
                let envelope = try Support.order(extensions: [
                    "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate": "vendor=1",
                    "note": "50% off \"today\" für alle",
                ])
                let function = FunctionSpec(name: "sink", target: .cloudevents(sink: stub.url + "/events"), topics: ["orders"])
                let result = await invoker.invoke(Invocation(function: function, topics: ["orders"], envelopes: [envelope], payload: Support.payload("ignored")))
                #expect(result.outcome == .delivered)
                #expect(result.status == 202)

                let request = try #require(stub.requests.first)
                #expect(request.target == "/events")
                #expect(request.body == Array(#"{"order":42,"total":9.5}"#.utf8))
                #expect(
                    Support.sentHeaders(request) == [
                        HeaderField("Content-Type", "application/json"), HeaderField("ce-specversion", "1.0"), HeaderField("ce-id", "order-1"),
                        HeaderField("ce-source", "/shop/orders"), HeaderField("ce-type", "com.example.order.created"),
                        HeaderField("ce-subject", "orders/42"), HeaderField("ce-time", "2024-05-01T12:00:00Z"),
                        HeaderField("ce-note", "50%25%20off%20%22today%22%20f%C3%BCr%20alle"),
                        HeaderField("ce-traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
                        HeaderField("ce-tracestate", "vendor=1"), HeaderField("X-Topic", "orders"), HeaderField("X-Connector", "event-gateway"),
                        HeaderField("User-Agent", "event-gateway"),
                        HeaderField("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), HeaderField("tracestate", "vendor=1"),
                    ])

                let incoming = IncomingEvent(body: request.body, headers: EventHeaders(request.headers.map { .init(name: $0.name, value: $0.value) }))
                let normalized = try Normalizer().normalize(incoming)
                #expect(normalized.dialect == "cloudevents.binary")
                #expect(normalized.envelopes == [envelope])
            }
        }
    }

    @Test func cloudEventFormatSendsTheStructuredEvent() async throws {
        try await StubFunction.withStub { stub in
            try await Support.withInvoker { invoker in
                let envelope = try Support.order(extensions: ["partition": 3])
                let function = FunctionSpec(name: "structured", target: .http(url: stub.url), body: .cloudevent)
                _ = await invoker.invoke(Invocation(function: function, topics: ["orders"], envelopes: [envelope]))
                let request = try #require(stub.requests.first)
                #expect(request.target == "/")
                #expect(request.values(of: "Content-Type") == ["application/cloudevents+json"])
                #expect(request.body == envelope.jsonBytes())
                #expect(try Envelope(cloudEventJSON: request.body) == envelope)
            }
        }
    }

    @Test func binaryFormatOnAnHTTPTargetSendsBinaryMode() async throws {
        try await StubFunction.withStub { stub in
            try await Support.withInvoker { invoker in
                let envelope = Envelope(id: "b1", source: "/bin", type: "bytes", data: .binary([0, 1, 2, 255]))
                let function = FunctionSpec(name: "bytes", target: .http(url: stub.url), body: .binary)
                _ = await invoker.invoke(Invocation(function: function, topics: ["t"], envelopes: [envelope]))
                let request = try #require(stub.requests.first)
                #expect(request.body == [0, 1, 2, 255])
                // CloudEvents: a type that is not known stays out; no Content-Type is made up.
                #expect(request.values(of: "Content-Type").isEmpty)
                #expect(request.header("ce-id") == "b1")
            }
        }
    }

    @Test func oneEventFormatsAreSplitPerEnvelope() throws {
        let envelopes = [try Support.order(id: "a"), try Support.order(id: "b")]
        let payload = Support.payload("[1,2]")
        let split = [
            FunctionSpec(name: "ce", target: .http(url: "http://x"), body: .cloudevent),
            FunctionSpec(name: "bin", target: .http(url: "http://x"), body: .binary),
            FunctionSpec(name: "sink", target: .cloudevents(sink: "http://x")),
        ]
        for function in split {
            let deliveries = Invocation.deliveries(to: function, topics: ["t"], envelopes: envelopes, payload: payload)
            #expect(deliveries.map(\.envelopeIDs) == [["a"], ["b"]], "\(function.name)")
        }
        for format in [BodyFormat.original, .grouped] {
            let function = FunctionSpec(name: "whole", target: .http(url: "http://x"), body: format)
            let deliveries = Invocation.deliveries(to: function, topics: ["t"], envelopes: envelopes, payload: payload)
            #expect(deliveries.map(\.envelopeIDs) == [["a", "b"]])
            #expect(deliveries.first?.payload == payload)
        }
    }

    @Test func invocationIDsAreStable() throws {
        let function = FunctionSpec(name: "f", namespace: "ns", target: .log)
        let first = Invocation(function: function, topics: ["t"], envelopes: [try Support.order()])
        let again = Invocation(function: function, topics: ["t"], envelopes: [try Support.order()])
        let other = Invocation(function: function, topics: ["t"], envelopes: [try Support.order(id: "order-2")])
        #expect(first.id == again.id)
        #expect(first.id != other.id)
        #expect(first.id.count == 32)
        #expect(Invocation(function: function, topics: [], envelopes: [], id: "mine").id == "mine")
    }

    @Test func logTargetLogsTheRequestAndCallsNothing() async throws {
        let logs = InMemoryLogHandler()
        let logger = Logger(label: "test", factory: { _ in logs })
        try await Support.withInvoker(.init(logPreviewBytes: 10), logger: logger) { invoker in
            let function = FunctionSpec(name: "printer", namespace: "dev", target: .log, topics: ["orders"])
            let result = await invoker.invoke(
                Invocation(function: function, topics: ["orders"], envelopes: [try Support.order()], payload: Support.payload(#"{"hello":"world"}"#)))
            #expect(result.outcome == .delivered)
            #expect(result.status == 202)
            #expect(result.url == "log")

            let entry = try #require(logs.entries.first { $0.message.description == "would deliver" })
            #expect(entry.level == .info)
            #expect(entry.metadata["function"] == "printer.dev")
            #expect(entry.metadata["http.method"] == "POST")
            #expect(entry.metadata["http.url"] == "log")
            #expect(entry.metadata["body.size"] == "17")
            #expect(entry.metadata["body.preview"] == #"{"hello":"…"#)
            #expect(
                entry.metadata["http.headers"]
                    == "Content-Type: application/json; X-Topic: orders; X-Connector: event-gateway; User-Agent: event-gateway")
        }
    }
}
