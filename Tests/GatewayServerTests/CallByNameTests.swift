import Foundation
import GatewayCore
import GatewayStubs
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /function/{name}` through the running gateway: the body passes through to the function by its
/// address, and its answer comes back; each function's concurrency limit and timeout hold.
struct CallByNameTests {
    /// A gateway with `functions` and no routes.
    static func gateway(_ functions: [FunctionDeclaration]) throws -> LiveGateway {
        let folder = try RoutesFolder()
        try folder.write("functions.yaml", routeFile(functions: functions))
        return LiveGateway(folder)
    }

    @Test func theBodyAndContentTypePassThroughAndTheAnswerComesBack() async throws {
        let answer = StubReply(
            status: 201, headers: [HeaderField("Content-Type", "application/xml"), HeaderField("X-Internal", "not passed on")],
            body: Array("<ok n=\"1\"/>".utf8))
        let stub = try await StubFunction.start(reply: answer)
        defer { Task { await stub.stop() } }
        // An async function that takes CloudEvents from triggers: a call by name is sync and passes the body through.
        var function = FunctionDeclaration.http("resize", url: stub.url + "/run", topics: ["images"], body: "cloudevent", namespace: "media")
        function.headers = [("X-Team", "media")]
        let body: [UInt8] = Array("width,height\n640,480\n".utf8) + [0xFF]
        try await Self.gateway([function]).run { client in
            let response = try await client.send(
                .post, "/function/resize.media", headers: [("Content-Type", "text/csv"), ("Authorization", "Bearer secret"), ("X-Trace", "t-1")], body: body)
            #expect(response.status == .created)
            #expect(response.headers[values: .contentType] == ["application/xml"])
            #expect(response.headers[HTTPField.Name("X-Internal")!] == nil)
            #expect(String(buffer: response.body) == "<ok n=\"1\"/>")
        }
        let request = try #require(stub.requests.first)
        #expect(stub.requests.count == 1)
        #expect(request.method == "POST" && request.target == "/run")
        #expect(request.body == body)
        #expect(request.values(of: "Content-Type") == ["text/csv"])
        #expect(request.header("X-Connector") == "event-gateway")
        #expect(request.header("X-Team") == "media")
        // No topic selected it, and the caller's credentials stay with the gateway.
        #expect(request.header("X-Topic") == nil)
        #expect(request.header("Authorization") == nil)
    }

    @Test func aNameOnlyOneFunctionHasFindsIt() async throws {
        let stub = try await StubFunction.start(reply: .text("pong"))
        defer { Task { await stub.stop() } }
        try await Self.gateway([.http("ping", url: stub.url, topics: ["t"], namespace: "tools")]).run { client in
            let response = try await client.post("/function/ping", json: "{}")
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "pong")
        }
        #expect(stub.requests.map(\.text) == ["{}"])
    }

    @Test func theFunctionsErrorStatusAndBodyComeBackAsIs() async throws {
        let stub = try await StubFunction.start(reply: .json(#"{"error": "no such order"}"#, status: 404))
        defer { Task { await stub.stop() } }
        try await Self.gateway([.http("orders", url: stub.url, topics: ["t"])]).run { client in
            let response = try await client.post("/function/orders", json: #"{"id": 17}"#)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/json")
            #expect(String(buffer: response.body) == #"{"error": "no such order"}"#)
        }
    }

    /// Unknown names, and a bare name two functions share, are 404 with a message saying what to do.
    @Test(arguments: ["nope", "nope.tools", "echo"])
    func anUnknownOrAmbiguousNameIs404(_ name: String) async throws {
        let stub = try await StubFunction.start()
        defer { Task { await stub.stop() } }
        let functions: [FunctionDeclaration] = [
            .http("echo", url: stub.url, topics: ["t"], namespace: "a"), .http("echo", url: stub.url, topics: ["t"], namespace: "b"),
        ]
        try await Self.gateway(functions).run { client in
            let response = try await client.post("/function/\(name)", json: "{}")
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/json")
            #expect(
                try errorDetail(response) == [
                    "code": "unknown_function",
                    "message": "no function named \"\(name)\": declare it under functions: in a route file, or give it a topic annotation on OpenFaaS",
                ])
            // The full addresses still work.
            #expect(try await client.post("/function/echo.a", json: "{}").status == .ok)
        }
        #expect(stub.requests.count == 1)
    }

    /// Port 9 (discard), where nothing listens here. (A stub started and stopped freed a port that a
    /// server of a test running alongside could take before the call: the call then reached it.)
    @Test func anUnreachableFunctionIs502() async throws {
        let url = "http://127.0.0.1:9/"
        try await Self.gateway([.http("gone", url: url, topics: ["t"])]).run { client in
            let response = try await client.post("/function/gone", json: "{}")
            #expect(response.status == .badGateway)
            let error = try errorDetail(response)
            #expect(error["code"] == "unreachable")
            #expect(error["message"]?.hasPrefix("unable to reach endpoint \(url)") == true, "\(error)")
        }
    }

    @Test func aFunctionOverItsTimeoutIs504() async throws {
        // The stub answers long after the timeout, so that a loaded test run cannot blur the two.
        let stub = try await StubFunction.start(reply: .text("late", delay: .seconds(30)))
        defer { Task { await stub.stop() } }
        var function = FunctionDeclaration.http("slow", url: stub.url, topics: ["t"])
        function.timeout = "200ms"
        try await Self.gateway([function]).run { client in
            let started = ContinuousClock.now
            let response = try await client.post("/function/slow", json: "{}")
            #expect(ContinuousClock.now - started < .seconds(20), "the gateway waited for the function past its timeout")
            #expect(response.status == .gatewayTimeout)
            #expect(try errorDetail(response) == ["code": "timeout", "message": "no answer from \(stub.url) within 0.2 seconds; the request was cancelled"])
            try await client.expectServing()
        }
    }

    /// Calls beyond a function's concurrency wait for a free slot: never more in flight than the limit,
    /// and every call is answered.
    @Test func callsBeyondTheConcurrencyLimitWaitTheirTurn() async throws {
        let stub = try await StubFunction.start(reply: .text("done", delay: .seconds(1)))
        defer { Task { await stub.stop() } }
        var function = FunctionDeclaration.http("narrow", url: stub.url, topics: ["t"])
        function.concurrency = 2
        let calls = 6
        try await Self.gateway([function]).run { client in
            let answers = try await withThrowingTaskGroup(of: (status: Int, body: String).self) { group in
                for index in 0..<calls { group.addTask { try await client.sendConcurrently("/function/narrow", json: "{\"call\": \(index)}") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == calls)
            #expect(answers.allSatisfy { $0.status == 200 && $0.body == "done" }, "\(answers)")
        }
        #expect(stub.requests.count == calls)
        #expect(stub.maxConcurrentRequests == 2)
    }
}

extension CallByNameTests {
    /// A CloudEvents sink takes events one per request: a passed-through body is refused, and the sink
    /// is not called.
    @Test func aCloudEventsSinkIsNotCallableByName() async throws {
        let stub = try await StubFunction.start()
        defer { Task { await stub.stop() } }
        let sink = FunctionDeclaration(name: "sink", target: "{cloudevents: \(yamlString(stub.url))}", topics: ["t"])
        try await Self.gateway([sink]).run { client in
            let response = try await client.post("/function/sink", json: "{}")
            #expect(response.status == .unprocessableContent)
            let error = try errorDetail(response)
            #expect(error["code"] == "not_callable_by_name")
            #expect(error["message"] == "function sink is a CloudEvents sink: it takes events, not a passed-through body; POST the event to / or /events/{dialect}")
            try await client.expectServing()
        }
        #expect(stub.requests.isEmpty)
    }

    /// A path or method no endpoint takes is a 404 with the JSON error body every refusal has.
    @Test(arguments: [(HTTPRequest.Method.get, "/"), (.post, "/nowhere"), (.get, "/function/sink"), (.delete, "/events/x")])
    func noEndpointIsAJSON404(_ method: HTTPRequest.Method, _ path: String) async throws {
        try await Self.gateway([]).run { client in
            let response = try await client.send(method, path)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/json")
            let error = try errorDetail(response)
            #expect(error["code"] == "no_endpoint")
            #expect(error["message"] == "no endpoint takes \(method) \(path): events go to POST / or POST /events/{dialect}; see docs/serve.md for the others")
        }
    }
}
