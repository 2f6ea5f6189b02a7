import GatewayCore
import Testing

/// The reverse APIG path: a plain HTTP request as the FunctionGraph APIG event a function would get.
struct APIGEventTests {
    let receivedAt = Timestamp(rfc3339: "2026-03-04T05:06:07Z")

    private func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private func normalize(_ event: [UInt8]) throws -> Normalization {
        try Normalizer().normalize(IncomingEvent(body: event, headers: ["Content-Type": "application/json"], receivedAt: receivedAt))
    }

    @Test func aTextRequestBecomesTheEventTheAPIGDialectReads() throws {
        let event = APIGEvent.build(
            method: "POST", path: "/orders/ü", query: "a=1&b=x%20y+z&a=2&flag&=empty-name",
            headers: [
                HeaderField("Content-Type", "application/json"), HeaderField("X-Multi", "1"), HeaderField("x-multi", "2"),
                HeaderField("Cookie", "a=1"), HeaderField("cookie", "b=2"),
            ],
            body: Array(#"{"n": 1}"#.utf8), pathParameters: ["proxy": "orders/ü", "id": "7"],
            context: APIGEvent.Context(apiId: "api-1", stage: "dev", requestId: "req-1", sourceIp: "127.0.0.1"))
        #expect(
            text(event)
                == #"{"httpMethod":"POST","path":"/orders/ü","pathParameters":{"id":"7","proxy":"orders/ü"},"queryStringParameters":{"a":"1,2","b":"x y z","flag":"","":"empty-name"},"headers":{"Content-Type":"application/json","X-Multi":"1, 2","Cookie":"a=1; b=2"},"body":"{\"n\": 1}","isBase64Encoded":false,"requestContext":{"apiId":"api-1","requestId":"req-1","stage":"dev","sourceIp":"127.0.0.1"}}"#
        )
        let result = try normalize(event)
        #expect(result.dialect == "functiongraph.apig")
        let expected = Envelope(
            id: "req-1", source: "/huaweicloud/apig/api-1/dev", type: "com.huaweicloud.apig.request", subject: "/orders/ü", time: receivedAt,
            datacontenttype: "application/json", data: .json(try RawJSON(validating: event)),
            extensions: ["platform": "functiongraph", "trigger": "apig", "httpmethod": "POST", "sourceip": "127.0.0.1"])
        #expect(result.envelopes == [expected])
    }

    @Test func aBinaryBodyTravelsAsBase64() throws {
        let bytes: [UInt8] = [0x00, 0x01, 0x02, 0xFE, 0xFF]
        let event = APIGEvent.build(method: "PUT", path: "/blob", headers: [HeaderField("Content-Type", "application/octet-stream")], body: bytes)
        #expect(
            text(event)
                == #"{"httpMethod":"PUT","path":"/blob","pathParameters":{},"queryStringParameters":{},"headers":{"Content-Type":"application/octet-stream"},"body":"AAEC/v8=","isBase64Encoded":true,"requestContext":{"apiId":"local","requestId":"","stage":"local"}}"#
        )
        let envelope = try #require(try normalize(event).envelopes.first)
        #expect(envelope.source == "/huaweicloud/apig/local/local")
        #expect(envelope.extensions["httpmethod"] == "PUT")
        guard case .json(let data)? = envelope.data, case .string(let body)? = data.value["body"] else {
            Issue.record("the envelope's data has no body string: \(String(describing: envelope.data))")
            return
        }
        #expect(Base64.decode(body) == bytes)
    }

    @Test(arguments: [
        ("text/plain", [0xC3, 0x28] as [UInt8], "wyg=", true),
        (nil, Array("plain words".utf8), "cGxhaW4gd29yZHM=", true),
        ("text/csv; charset=utf-8", Array("a,b\n1,2".utf8), "a,b\\n1,2", false),
        ("application/x-www-form-urlencoded", Array("a=1&b=2".utf8), "a=1&b=2", false),
        ("image/png", [UInt8](), "", false),
    ])
    func bodiesAreTextOnlyWhenTextualAndUTF8(_ contentType: String?, _ body: [UInt8], _ written: String, _ base64: Bool) throws {
        let event = APIGEvent.build(method: "POST", path: "/", headers: contentType.map { [HeaderField("Content-Type", $0)] } ?? [], body: body)
        #expect(text(event).contains(#""body":"\#(written)","isBase64Encoded":\#(base64)"#), "\(text(event))")
        #expect(try normalize(event).dialect == "functiongraph.apig")
    }

    @Test func withoutRequestIDTheEnvelopeIDDerivesFromRequestAndReceipt() throws {
        let event = APIGEvent.build(method: "GET", path: "/health")
        let first = try #require(try normalize(event).envelopes.first)
        #expect(first.id.utf8.count == 32)
        #expect(try normalize(event).envelopes.first?.id == first.id, "same request, same receipt time, same id")
        let later = try Normalizer().normalize(IncomingEvent(body: event, receivedAt: Timestamp(rfc3339: "2026-03-04T05:06:08Z")))
        #expect(later.envelopes.first?.id != first.id)
    }

    /// The whole reverse path without a server: request -> event -> a function's APIG answer -> HTTP response.
    @Test func aFunctionsAPIGAnswerBecomesARealHTTPResponse() throws {
        let event = APIGEvent.build(method: "GET", path: "/hello", query: "name=Zoë")
        let request = try #require(try normalize(event).envelopes.first)
        guard case .json(let data)? = request.data, case .object(let query)? = data.value["queryStringParameters"] else {
            Issue.record("no query in \(String(describing: request.data))")
            return
        }
        #expect(query == [JSONValue.Member("name", .string("Zoë"))])
        let reply = #"{"statusCode": 200, "headers": {"Content-Type": "text/plain", "Set-Cookie": ["a=1", "b=2"]}, "body": "SGVsbG8gWm/Dqw==", "isBase64Encoded": true}"#
        let http = APIGResponse.answer(to: FunctionAnswer(status: 200, headers: [HeaderField("Content-Type", "application/json")], body: Array(reply.utf8)))
            .httpResponse()
        #expect(http.status == 200)
        #expect(http.headers == [HeaderField("Content-Type", "text/plain"), HeaderField("Set-Cookie", "a=1"), HeaderField("Set-Cookie", "b=2")])
        #expect(text(http.body) == "Hello Zoë")
    }
}
