import Foundation
import GatewayCore
import GatewayDelivery
import GatewayServer
import GatewayStubs
import GatewayTesting
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// APIG request/reply through the running gateway: an APIG event's function answer comes back as HTTP
/// 200 with the APIG JSON shape, and `/apig/**` turns plain HTTP requests into APIG events and the
/// function's APIG answer into a real HTTP response.
struct APIGTests {
    /// The APIG fixture the answer cases post.
    static let fixture = "fixtures/functiongraph/apig/plain-json-body.json"

    /// The request id of ``fixture``.
    static let fixtureRequestID = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"

    static func fixtureBody() throws -> [UInt8] {
        Array(try #require(FileManager.default.contents(atPath: Fixtures.repository + "/" + fixture), "cannot read \(fixture)"))
    }

    /// A gateway whose APIG requests go to the topic `api`, with `functions` declared.
    static func gateway(_ functions: [FunctionDeclaration]) throws -> LiveGateway {
        let folder = try RoutesFolder()
        let route = RouteDeclaration(id: "api", topic: "api", when: "{type: com.huaweicloud.apig.request}")
        try folder.write("api.yaml", routeFile(routes: [route], functions: functions))
        return LiveGateway(folder)
    }

    /// The sync function `orders-api` on `stub`.
    static func responder(_ stub: StubFunction, timeout: String? = nil) -> FunctionDeclaration {
        responder(url: stub.url, timeout: timeout)
    }

    static func responder(url: String, timeout: String? = nil) -> FunctionDeclaration {
        var function = FunctionDeclaration.http("orders-api", url: url, topics: ["api"], mode: "sync")
        function.timeout = timeout
        return function
    }

    /// The answer the gateway gives in place of the function: the failure's APIG shape, exactly.
    static func failure(_ status: Int, _ code: String, _ message: String) -> String {
        let body = canonicalJSON(["error": ["code": code, "message": message]])
        return canonicalJSON(["statusCode": status, "headers": ["Content-Type": "application/json"], "body": body, "isBase64Encoded": false] as [String: Any])
    }

    // MARK: APIG events

    /// What the function answers, and the APIG answer the gateway must give for it.
    struct AnswerCase: Sendable, CustomTestStringConvertible {
        var name: String
        var reply: StubReply
        /// The gateway's answer as canonical JSON; `{url}` stands for the stub's URL.
        var expected: String
        var timeout: String?

        var testDescription: String { name }
    }

    static let answerCases: [AnswerCase] = [
        AnswerCase(
            name: "APIG shape, returned validated with its members filled in",
            reply: .json(#"{"statusCode": 201, "headers": {"X-Order": "17", "Set-Cookie": ["a=1", "b=2"]}, "body": "created"}"#),
            expected: #"{"body":"created","headers":{"Set-Cookie":["a=1","b=2"],"X-Order":"17"},"isBase64Encoded":false,"statusCode":201}"#),
        AnswerCase(
            name: "APIG shape with a base64 body",
            reply: .json(#"{"statusCode": 200, "headers": null, "body": "AAEC", "isBase64Encoded": true}"#),
            expected: #"{"body":"AAEC","headers":{},"isBase64Encoded":true,"statusCode":200}"#),
        AnswerCase(
            name: "plain JSON, wrapped as text",
            reply: .json(#"{"statusCode": 3, "items": []}"#),
            expected: #"{"body":"{\"statusCode\": 3, \"items\": []}","headers":{"Content-Type":"application/json"},"isBase64Encoded":false,"statusCode":200}"#),
        AnswerCase(
            name: "text, wrapped",
            reply: StubReply(headers: [HeaderField("Content-Type", "text/plain; charset=utf-8")], body: Array("héllo\n".utf8)),
            expected: #"{"body":"héllo\n","headers":{"Content-Type":"text/plain; charset=utf-8"},"isBase64Encoded":false,"statusCode":200}"#),
        AnswerCase(
            name: "binary, wrapped as base64",
            reply: StubReply(headers: [HeaderField("Content-Type", "image/png")], body: [0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF]),
            expected: #"{"body":"iVBORwD/","headers":{"Content-Type":"image/png"},"isBase64Encoded":true,"statusCode":200}"#),
        AnswerCase(
            name: "no answer body",
            reply: StubReply(status: 204),
            expected: #"{"body":"","headers":{},"isBase64Encoded":false,"statusCode":200}"#),
        AnswerCase(
            name: "invalid APIG shape, 502-shaped with every problem",
            reply: .json(#"{"statusCode": "abc", "headers": {"X-N": 5}, "body": {}}"#),
            expected: failure(
                502, "invalid_function_answer",
                #"$.statusCode: expected an integer from 100 to 599, found "abc"; $.headers["X-N"]: expected a string or a list of strings, found 5; $.body: expected a string, found an empty object"#
            )),
        AnswerCase(
            name: "non-2xx answer, 502-shaped",
            reply: .text("database down", status: 500),
            expected: failure(502, "function_error", "the function answered HTTP 500: database down")),
        AnswerCase(
            name: "timeout, 504-shaped",
            reply: .text("too late", delay: .seconds(3)),
            expected: failure(504, "function_timeout", "orders-api: no answer from {url} within 0.2 seconds; the request was cancelled"),
            timeout: "200ms"),
    ]

    @Test(arguments: answerCases)
    func answersAnAPIGEventWithTheFunctionsAnswerInTheAPIGShape(_ answerCase: AnswerCase) async throws {
        let stub = try await StubFunction.start(reply: answerCase.reply)
        defer { Task { await stub.stop() } }
        let body = try Self.fixtureBody()
        try await Self.gateway([Self.responder(stub, timeout: answerCase.timeout)]).run { client in
            let response = try await client.send(.post, "/", headers: [("Content-Type", "application/json")], body: body)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let answer = try jsonValue(response.body.readableBytesView)
            #expect(canonicalJSON(answer) == answerCase.expected.replacingOccurrences(of: "{url}", with: stub.url))
        }
        // The function got the APIG event as sent, once.
        let requests = stub.requests
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.method == "POST" && request.path == "/")
        #expect(request.body == body)
        #expect(request.values(of: "Content-Type") == ["application/json"])
        #expect(request.header("X-Topic") == "api")
        #expect(request.header("X-Connector") == "event-gateway")
    }

    /// Port 9 (discard), where nothing listens here: a stub's port, freed, could be taken by a test
    /// running alongside.
    @Test func anUnreachableFunctionIsA502ShapedAnswer() async throws {
        let url = "http://127.0.0.1:9/"
        let body = try Self.fixtureBody()
        try await Self.gateway([Self.responder(url: url)]).run { client in
            let response = try await client.send(.post, "/", headers: [("Content-Type", "application/json")], body: body)
            #expect(response.status == .ok)
            let answer = try jsonObject(response)
            #expect(answer["statusCode"] as? Int == 502)
            let error = try #require(try jsonValue(Array(((answer["body"] as? String) ?? "").utf8)) as? [String: [String: String]])
            #expect(error["error"]?["code"] == "function_error")
            let message = try #require(error["error"]?["message"])
            #expect(message.hasPrefix("orders-api: unable to reach endpoint \(url)"), "\(message)")
        }
    }

    @Test func anAPIGEventNoFunctionTakesIsA404ShapedAnswer() async throws {
        let body = try Self.fixtureBody()
        try await Self.gateway([]).run { client in
            let response = try await client.send(.post, "/", headers: [("Content-Type", "application/json")], body: body)
            #expect(response.status == .ok)
            #expect(canonicalJSON(try jsonValue(response.body.readableBytesView)) == Self.failure(404, "no_subscriber", "no function subscribes to this API's topics"))
        }
    }

    /// The first subscriber answers; another one subscribed to the same API gets the event as usual.
    @Test func otherSubscribersOfAnAPIGEventAreDeliveredAsUsual() async throws {
        let responder = try await StubFunction.start(reply: .json(#"{"statusCode": 200, "body": "from the responder"}"#))
        let audit = try await StubFunction.start(reply: .text("ignored"))
        defer { Task { await responder.stop(); await audit.stop() } }
        let body = try Self.fixtureBody()
        try await Self.gateway([Self.responder(responder), .http("audit", url: audit.url, topics: ["api"])]).run { client in
            let response = try await client.send(.post, "/", headers: [("Content-Type", "application/json")], body: body)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == #"{"statusCode":200,"headers":{},"body":"from the responder","isBase64Encoded":false}"#)
            let delivered = try await audit.waitForRequests(count: 1, timeout: .seconds(30))
            #expect(delivered.map(\.body) == [body])
        }
        #expect(responder.requests.count == 1)
    }

    /// A sync subscriber answers even when an async one comes first: sync is the mode whose answer APIG gets.
    @Test func theSyncSubscriberAnswersWhenAnAsyncOneComesFirst() async throws {
        let responder = try await StubFunction.start(reply: .json(#"{"statusCode": 200, "body": "from the responder"}"#))
        let audit = try await StubFunction.start(reply: .text("from the audit"))
        defer { Task { await responder.stop(); await audit.stop() } }
        let body = try Self.fixtureBody()
        try await Self.gateway([.http("audit", url: audit.url, topics: ["api"]), Self.responder(responder)]).run { client in
            let response = try await client.send(.post, "/", headers: [("Content-Type", "application/json")], body: body)
            #expect(String(buffer: response.body) == #"{"statusCode":200,"headers":{},"body":"from the responder","isBase64Encoded":false}"#)
            let delivered = try await audit.waitForRequests(count: 1, timeout: .seconds(30))
            #expect(delivered.map(\.body) == [body])
        }
        #expect(responder.requests.count == 1)
    }

    /// When the queue cannot take the other subscribers' calls, the request is refused as any event is:
    /// 429 `queue_full` with `Retry-After`, on `/` and on the reverse path alike.
    @Test func aFullQueueRefusesAnAPIGEventWith429() async throws {
        let responder = try await StubFunction.start(reply: .json(#"{"statusCode": 200, "body": "ok"}"#))
        // The audit function answers once the test is done, so its call stays in the queue until then.
        let done = Moment()
        let audit = try await StubFunction.start { _ in
            await done.wait()
            return .text("audited")
        }
        defer { Task { await responder.stop(); await audit.stop() } }
        let folder = try RoutesFolder()
        let route = RouteDeclaration(id: "api", topic: "api", when: "{type: com.huaweicloud.apig.request}")
        try folder.write("api.yaml", routeFile(routes: [route], functions: [Self.responder(responder), .http("audit", url: audit.url, topics: ["api"])]))
        let gateway = LiveGateway(folder) {
            $0.store.maxDepth = 1
            $0.store.queueFullRetryAfter = .seconds(7)
        }
        let body = try Self.fixtureBody()
        try await gateway.run { client in
            // The queue holds the first audit call until the audit function answered it.
            #expect(try await client.send(.post, "/", headers: [("Content-Type", "application/json")], body: body).status == .ok)
            try await audit.waitForRequests(count: 1, timeout: .seconds(30))
            // Another request (its own request id): the same one again would be a re-sent event, acknowledged.
            let another = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: Self.fixtureRequestID, with: "another-request").utf8)
            #expect(another != body)
            for (path, body) in [("/", another), ("/apig/orders", body)] {
                let full = try await client.send(.post, path, headers: [("Content-Type", "application/json")], body: body)
                #expect(full.status == .tooManyRequests, "\(path)")
                #expect(full.headers[.retryAfter] == "7", "\(path)")
                #expect(try errorDetail(full)["code"] == "queue_full", "\(path)")
            }
            try await client.expectServing()
            done.mark()
        }
        #expect(responder.requests.count == 1, "the responder was called although the request was refused")
    }

    /// Every APIG fixture reaches its function byte for byte, and the function's answer comes back.
    @Test func everyAPIGFixtureReachesTheFunctionAsSent() async throws {
        let fixtures = try Fixtures.valid().filter { $0.dialect == "functiongraph.apig" }
        try #require(!fixtures.isEmpty, "no APIG fixture under fixtures/functiongraph/apig")
        let stub = try await StubFunction.start(reply: .json(#"{"statusCode": 202, "body": "ok"}"#))
        defer { Task { await stub.stop() } }
        try await Self.gateway([Self.responder(stub)]).run { client in
            for fixture in fixtures {
                stub.clearRequests()
                let headers = fixture.event.headers.map { ($0.name, $0.value) }
                let sent = headers.isEmpty ? [("Content-Type", "application/json")] : headers
                let response = try await client.send(.post, fixture.event.path ?? "/", headers: sent, body: fixture.event.body)
                #expect(response.status == .ok, "\(fixture)")
                #expect(String(buffer: response.body) == #"{"statusCode":202,"headers":{},"body":"ok","isBase64Encoded":false}"#, "\(fixture)")
                #expect(stub.requests.map(\.body) == [fixture.event.body], "\(fixture)")
            }
        }
    }

    /// An APIG event that breaks the dialect's rules is refused before any function is called.
    @Test func invalidAPIGEventsAreRefusedWithTheDecodersError() async throws {
        let fixtures = try Fixtures.invalid().filter { $0.dialect == "functiongraph.apig" }
        try #require(!fixtures.isEmpty, "no invalid APIG fixture under fixtures/functiongraph/apig/invalid")
        let stub = try await StubFunction.start()
        defer { Task { await stub.stop() } }
        try await Self.gateway([Self.responder(stub)]).run { client in
            for fixture in fixtures {
                let goldenText = try #require(fixture.golden(), "no golden file for \(fixture)")
                let golden = try #require(try jsonValue(Array(goldenText.utf8)) as? [String: Any], "\(fixture)")
                let response = try await client.send(
                    .post, "/events/functiongraph.apig", headers: [("Content-Type", "application/json")], body: fixture.event.body)
                #expect(response.status == .unprocessableContent, "\(fixture)")
                let error = try errorDetail(response)
                #expect(error["code"] == golden["code"] as? String, "\(fixture)")
                #expect(error["message"] == golden["message"] as? String, "\(fixture)")
            }
            try await client.expectServing()
        }
        #expect(stub.requests.isEmpty)
    }

    // MARK: The reverse path, /apig/**

    /// The APIG event a stub function received, as a JSON object.
    static func event(_ request: RecordedRequest) throws -> [String: Any] {
        try #require(try jsonValue(request.body) as? [String: Any], "not a JSON object: \(request.text)")
    }

    @Test func aPlainRequestBecomesAnAPIGEventAndTheAPIGAnswerARealResponse() async throws {
        let answerBody: [UInt8] = [0x01, 0x02, 0x03, 0xFA]
        let stub = try await StubFunction.start(
            reply: .json(
                """
                {"statusCode": 201, "headers": {"Content-Type": "application/octet-stream", "X-Reply": "yes", "Set-Cookie": ["a=1", "b=2"],
                "Content-Length": "999"}, "body": "\(Base64.encode(answerBody))", "isBase64Encoded": true}
                """))
        defer { Task { await stub.stop() } }
        let requestBody: [UInt8] = [0x00, 0xFF, 0x10, 0x80]
        try await Self.gateway([Self.responder(stub)]).run { client in
            let response = try await client.send(
                .post, "/apig/orders/17?x=1&tag=a&tag=b%20c",
                headers: [("Content-Type", "application/octet-stream"), ("X-Custom", "one"), ("X-Custom", "two"), ("Cookie", "s=1"), ("Cookie", "t=2")],
                body: requestBody)
            #expect(response.status == .created)
            #expect(response.headers[values: .contentType] == ["application/octet-stream"])
            #expect(response.headers[values: HTTPField.Name("X-Reply")!] == ["yes"])
            #expect(response.headers[values: .setCookie] == ["a=1", "b=2"])
            // The server frames the body it sends: the answer's own Content-Length is dropped.
            #expect(response.headers[values: .contentLength] == ["4"])
            #expect(Array(response.body.readableBytesView) == answerBody)

            let request = try #require(stub.requests.first)
            #expect(stub.requests.count == 1)
            #expect(request.header("X-Topic") == "api")
            var event = try Self.event(request)
            let headers = try #require(event.removeValue(forKey: "headers") as? [String: String])
            // Repeated fields joined, the Host the client sent (the test client names the server localhost),
            // and nothing about the connection to the gateway (Connection: keep-alive).
            #expect(
                headers == [
                    "host": "localhost", "content-type": "application/octet-stream", "x-custom": "one, two", "cookie": "s=1; t=2",
                    "content-length": "4",
                ])
            #expect(
                canonicalJSON(event)
                    == canonicalJSON([
                        "httpMethod": "POST", "path": "/orders/17", "pathParameters": [String: String](),
                        "queryStringParameters": ["x": "1", "tag": "a,b c"], "body": Base64.encode(requestBody), "isBase64Encoded": true,
                        "requestContext": ["apiId": "local", "requestId": "", "stage": "local"],
                    ] as [String: Any]))
        }
    }

    @Test func aGetWithoutBodyBecomesAnAPIGEventAndAWrappedAnswerComesBackAsIs() async throws {
        let stub = try await StubFunction.start(reply: .text("hello from the function"))
        defer { Task { await stub.stop() } }
        try await Self.gateway([Self.responder(stub)]).run { client in
            let response = try await client.send(.get, "/apig/orders/17?x=1", headers: [("Accept", "text/plain")])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain")
            #expect(String(buffer: response.body) == "hello from the function")
            let event = try Self.event(try #require(stub.requests.first))
            #expect(event["httpMethod"] as? String == "GET")
            #expect(event["path"] as? String == "/orders/17")
            #expect(event["queryStringParameters"] as? [String: String] == ["x": "1"])
            #expect((event["headers"] as? [String: String])?["accept"] == "text/plain")
            #expect(event["body"] as? String == "")
            #expect(event["isBase64Encoded"] as? Bool == false)
        }
    }

    /// The event's path: what follows `/apig` (`/` for the API's root), percent-decoded as APIG passes it,
    /// trailing slash kept.
    @Test(arguments: [
        ("/apig", "/"), ("/apig/", "/"), ("/apig/orders/17/", "/orders/17/"), ("/apig/profiles/M%C3%BCller", "/profiles/Müller"),
        ("/apig/a%20b+c", "/a b+c"), ("/apig/bad%FF", "/bad%FF"),
    ])
    func theEventsPathIsWhatFollowsAPIG(_ requestPath: String, _ eventPath: String) async throws {
        let stub = try await StubFunction.start(reply: .json(#"{"statusCode": 200, "body": "ok"}"#))
        defer { Task { await stub.stop() } }
        try await Self.gateway([Self.responder(stub)]).run { client in
            let response = try await client.send(.get, requestPath + "?q=1")
            #expect(response.status == .ok)
            #expect(try await client.send(.get, "/apigx").status == .notFound)
        }
        let event = try Self.event(try #require(stub.requests.first))
        #expect(event["path"] as? String == eventPath)
        #expect(event["queryStringParameters"] as? [String: String] == ["q": "1"])
    }

    /// Each method reaches the function under its own name.
    @Test(arguments: [HTTPRequest.Method.get, .post, .put, .patch, .delete, .options])
    func everyMethodReachesTheFunction(_ method: HTTPRequest.Method) async throws {
        let stub = try await StubFunction.start(reply: .json(#"{"statusCode": 200, "body": "ok"}"#))
        defer { Task { await stub.stop() } }
        try await Self.gateway([Self.responder(stub)]).run { client in
            let response = try await client.send(method, "/apig/items", headers: [("Content-Type", "application/json")], body: method == .get ? nil : Array("{}".utf8))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "ok")
        }
        let event = try Self.event(try #require(stub.requests.first))
        #expect(event["httpMethod"] as? String == method.rawValue)
        #expect(event["path"] as? String == "/items")
    }

    /// Failures on the reverse path are real HTTP errors with the JSON error body.
    @Test func reversePathFailuresAreRealHTTPErrors() async throws {
        let stub = try await StubFunction.start(reply: .text("boom", status: 500))
        defer { Task { await stub.stop() } }
        try await Self.gateway([Self.responder(stub)]).run { client in
            let response = try await client.send(.post, "/apig/orders", headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
            #expect(response.status == .badGateway)
            #expect(response.headers[.contentType] == "application/json")
            #expect(String(buffer: response.body) == #"{"error":{"code":"function_error","message":"the function answered HTTP 500: boom"}}"#)

            stub.reply(with: .json(#"{"statusCode": 700}"#))
            let invalid = try await client.send(.get, "/apig/orders")
            #expect(invalid.status == .badGateway)
            #expect(try errorDetail(invalid) == ["code": "invalid_function_answer", "message": "$.statusCode: expected an integer from 100 to 599, found 700"])
        }
        try await Self.gateway([]).run { client in
            let response = try await client.send(.get, "/apig/orders")
            #expect(response.status == .notFound)
            #expect(try errorDetail(response) == ["code": "no_subscriber", "message": "no function subscribes to this API's topics"])
        }
    }
}
