import GatewayCore
import GatewayDelivery
import GatewayStubs
import Testing

/// The headers the invoker sends: exactly one Content-Type, X-Topic on and off, tracing, extras, and
/// never an Authorization the function did not ask for.
struct InvokerHeaderTests {
    struct ContentTypeCase: Sendable, CustomTestStringConvertible {
        var name: String
        var format: BodyFormat
        var functionType: String?
        var payloadType: String?
        var functionHeaders: [HeaderField] = []
        var callHeaders: [HeaderField] = []
        var expected: String
        var testDescription: String { name }
    }

    static let contentTypeCases: [ContentTypeCase] = [
        .init(name: "original: the trigger's type", format: .original, payloadType: "application/json", expected: "application/json"),
        .init(name: "original: the function's type wins", format: .original, functionType: "text/plain", payloadType: "application/json", expected: "text/plain"),
        .init(name: "original without a type", format: .original, payloadType: nil, expected: "application/octet-stream"),
        .init(name: "grouped: the trigger's type", format: .grouped, payloadType: "application/xml", expected: "application/xml"),
        .init(name: "cloudevent: the format's type", format: .cloudevent, payloadType: "application/xml", expected: "application/cloudevents+json"),
        .init(name: "cloudevent: the function's type wins", format: .cloudevent, functionType: "application/json", expected: "application/json"),
        .init(name: "binary: the event's datacontenttype", format: .binary, payloadType: "text/plain", expected: "application/json"),
        .init(
            name: "a per-call Content-Type is ignored", format: .original, payloadType: "application/json",
            callHeaders: [HeaderField("content-type", "text/html")], expected: "application/json"),
        .init(
            name: "a function header replaces it", format: .original, payloadType: "application/json",
            functionHeaders: [HeaderField("content-type", "application/vnd.example+json")], expected: "application/vnd.example+json"),
    ]

    @Test(arguments: contentTypeCases)
    func exactlyOneContentType(_ testCase: ContentTypeCase) async throws {
        try await StubFunction.withStub { stub in
            try await Support.withInvoker { invoker in
                let function = FunctionSpec(
                    name: "f", target: .http(url: stub.url), body: testCase.format, contentType: testCase.functionType, headers: testCase.functionHeaders)
                let result = await invoker.invoke(
                    Invocation(
                        function: function, topics: ["t"], envelopes: [try Support.order()],
                        payload: Support.payload("<a/>", contentType: testCase.payloadType), headers: testCase.callHeaders))
                #expect(result.outcome == .delivered)
                let request = try #require(stub.requests.first)
                #expect(request.values(of: "Content-Type") == [testCase.expected])
            }
        }
    }

    @Test func xTopicCanBeTurnedOff() async throws {
        try await StubFunction.withStub { stub in
            try await Support.withInvoker(.init(sendTopic: false)) { invoker in
                let function = FunctionSpec(name: "f", target: .http(url: stub.url))
                _ = await invoker.invoke(Invocation(function: function, topics: ["orders"], envelopes: [try Support.order()], payload: Support.payload("{}")))
                let request = try #require(stub.requests.first)
                #expect(request.values(of: "X-Topic").isEmpty)
                #expect(request.values(of: "X-Connector") == ["event-gateway"])
            }
        }
    }

    @Test func userAgentAndConnectorAreConfigurable() async throws {
        try await StubFunction.withStub { stub in
            try await Support.withInvoker(.init(userAgent: "gw/1.0", connector: "kafka-bridge")) { invoker in
                let function = FunctionSpec(name: "f", target: .http(url: stub.url))
                _ = await invoker.invoke(Invocation(function: function, topics: ["t"], envelopes: [], payload: Support.payload("{}")))
                let request = try #require(stub.requests.first)
                #expect(request.values(of: "User-Agent") == ["gw/1.0"])
                #expect(request.values(of: "X-Connector") == ["kafka-bridge"])
            }
        }
    }

    @Test func extraHeadersAndTracingComeInOrderAndNoAuthorizationLeaks() async throws {
        try await StubFunction.withStub { stub in
            try await Support.withInvoker { invoker in
                let function = FunctionSpec(
                    name: "f", target: .http(url: stub.url),
                    headers: [HeaderField("X-Tenant", "acme"), HeaderField("X-Topic", "overridden"), HeaderField("Content-Length", "1")])
                let envelope = try Support.order(extensions: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
                _ = await invoker.invoke(
                    Invocation(
                        function: function, topics: ["orders"], envelopes: [envelope], payload: Support.payload("{}"),
                        headers: [HeaderField("X-Kafka-Partition", "3"), HeaderField("Authorization", "Bearer from-the-trigger"), HeaderField("Host", "evil")]))
                let request = try #require(stub.requests.first)
                #expect(
                    Support.sentHeaders(request) == [
                        HeaderField("Content-Type", "application/json"), HeaderField("X-Connector", "event-gateway"),
                        HeaderField("User-Agent", "event-gateway"),
                        HeaderField("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                        HeaderField("X-Kafka-Partition", "3"), HeaderField("X-Tenant", "acme"), HeaderField("X-Topic", "overridden"),
                    ])
                #expect(request.values(of: "Host") == ["127.0.0.1:\(stub.port)"])
                #expect(request.values(of: "Content-Length") == ["2"])
            }
        }
    }

    @Test func authorizationOnlyWhenTheFunctionSetsIt() async throws {
        try await StubFunction.withStub { stub in
            try await Support.withInvoker { invoker in
                let function = FunctionSpec(name: "f", target: .http(url: stub.url), headers: [HeaderField("Authorization", "Bearer configured")])
                _ = await invoker.invoke(
                    Invocation(
                        function: function, topics: ["t"], envelopes: [], payload: Support.payload("{}"),
                        headers: [HeaderField("authorization", "Bearer from-the-trigger")]))
                let request = try #require(stub.requests.first)
                #expect(request.values(of: "Authorization") == ["Bearer configured"])
            }
        }
    }
}
