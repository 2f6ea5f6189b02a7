import AsyncHTTPClient
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

extension LiveSuites {
    /// Bad input over the live server: each gets the right status and a JSON error naming the problem, and
    /// the server keeps serving.
    @Suite
    struct BadInputTests {
        static let invalidFixtures: [Fixture] = (try? Fixtures.invalid()) ?? []

        @Test func invalidFixturesAreFound() {
            #expect(Self.invalidFixtures.count >= 100)
            // Every kind of refusal the fixtures hold is among them.
            let codes = Set(Self.invalidFixtures.compactMap { try? Self.golden($0)["code"] as? String })
            #expect(codes.isSuperset(of: ["malformed_json", "type_mismatch", "missing_field", "invalid_value", "invalid_cloudevent", "invalid_time"]))
        }

        static func golden(_ fixture: Fixture) throws -> [String: Any] {
            let text = try #require(fixture.golden(), "no golden file for \(fixture)")
            return try #require(try jsonValue(Array(text.utf8)) as? [String: Any])
        }

        /// The status each error code answers with.
        static func status(of code: String) -> HTTPResponse.Status {
            switch code {
            case "empty_body", "malformed_json": .badRequest
            case "unsupported_content_type": .unsupportedMediaType
            case "unknown_dialect": .notFound
            default: .unprocessableContent
            }
        }

        /// Every invalid fixture, sent as its trigger would: the answer's `error` object is the fixture's
        /// golden error (code, message, dialect, JSON path, expected, found, line and column).
        @Test(arguments: invalidFixtures)
        func invalidFixtureGetsItsError(_ fixture: Fixture) async throws {
            let request = FixtureRequest(fixture)
            var golden = try Self.golden(fixture)
            // A request over HTTP always has a path: where the fixture has none, the gateway names the one it got.
            if golden["path"] as? String == "request path", golden["found"] as? String == "nothing" {
                golden["found"] = "\"\(request.path)\""
            }
            let status = Self.status(of: golden["code"] as? String ?? "")
            let expectedError = canonicalJSON(golden)
            let folder = try RoutesFolder()
            try await StubFunction.withStub { stub in
                try folder.write("all.yaml", routeFile(routes: [.all()], functions: [.http("all", url: stub.url, topics: ["all"])]))
                try await LiveGateway(folder).run { client in
                    let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                    #expect(response.status == status)
                    #expect(response.headers[.contentType] == "application/json")
                    let error = try #require(try jsonObject(response)["error"])
                    #expect(canonicalJSON(error) == expectedError)
                    #expect(stub.requests.isEmpty)
                    try await client.expectServing()
                }
            }
        }

        /// Requests the fixtures do not hold: the status, the code, what the message says.
        @Test(arguments: [
            BadRequest("/", "application/json", "", .badRequest, "empty_body", "empty"),
            BadRequest("/", "application/json", "{\"record\": [", .badRequest, "malformed_json", "malformed JSON"),
            BadRequest("/", "application/json", "[1, 2]", .unprocessableContent, "undetected_dialect", "no dialect matched"),
            BadRequest("/", "text/csv", "a,b\n1,2\n", .unsupportedMediaType, "unsupported_content_type", "\"text/csv\""),
            BadRequest("/", "image/png", "\u{89}PNG", .unsupportedMediaType, "unsupported_content_type", "\"image/png\""),
            BadRequest("/events/nope", "application/json", "{}", .notFound, "unknown_dialect", "unknown dialect \"nope\"; known dialects: "),
            BadRequest("/events/FUNCTIONGRAPH.SMN", "application/json", "{}", .notFound, "unknown_dialect", "\"FUNCTIONGRAPH.SMN\""),
            BadRequest("/function/nobody.nowhere", "application/json", "{}", .notFound, "unknown_function", "no function named \"nobody.nowhere\""),
        ])
        func badRequestIsRefused(_ bad: BadRequest) async throws {
            let folder = try RoutesFolder()
            try await LiveGateway(folder).run { client in
                let response = try await client.send(.post, bad.path, headers: [("Content-Type", bad.contentType)], body: Array(bad.body.utf8))
                #expect(response.status == bad.status)
                #expect(response.headers[.contentType] == "application/json")
                let error = try errorDetail(response)
                #expect(error["code"] == bad.code)
                #expect(error["message"]?.contains(bad.message) == true, "\(error["message"] ?? "no message")")
                try await client.expectServing()
            }
        }

        /// Malformed JSON names the line and column of the mistake.
        @Test func malformedJSONNamesWhere() async throws {
            let folder = try RoutesFolder()
            try await LiveGateway(folder).run { client in
                let response = try await client.post("/", json: "{\n  \"Records\": [\n    {\"s3\": tru}\n  ]\n}")
                #expect(response.status == .badRequest)
                let object = try jsonObject(response)
                let error = try #require(object["error"] as? [String: Any])
                #expect(error["code"] as? String == "malformed_json")
                #expect(error["line"] as? Int == 3)
                #expect(error["column"] as? Int == 12)
                try await client.expectServing()
            }
        }

        // MARK: - Size

        /// A body over `server.max_body` is refused with 413 naming the limit, on every endpoint that reads a
        /// body, whether or not the request says its length up front; a body of exactly the limit is read.
        @Test(arguments: ["/", "/events/functiongraph.smn", "/api/v1/namespaces/_/triggers/t", "/function/echo", "/apig/orders"], [true, false])
        func oversizeBodyIs413(path: String, sayingLength: Bool) async throws {
            let folder = try RoutesFolder()
            try await StubFunction.withStub { stub in
                try folder.write("echo.yaml", routeFile(functions: [.http("echo", url: stub.url, topics: ["echo"])]))
                try await LiveGateway(folder, { $0.maxBodyBytes = 1024 }).run { client in
                    let oversize = Array(#"{"padding": ""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 2000) + Array(#""}"#.utf8)
                    let (status, body) = try await client.sendRaw(path, body: oversize, sayingLength: sayingLength)
                    #expect(status == 413)
                    let error = try #require(try jsonValue(Array(body.utf8)) as? [String: [String: Any]])["error"]
                    #expect(error?["code"] as? String == "body_too_large")
                    #expect(error?["limit"] as? Int == 1024)
                    #expect(error?["message"] as? String == "the request body is larger than the limit of 1024 bytes (server.max_body)")
                    #expect(stub.requests.isEmpty)
                    // Exactly the limit is not too large.
                    let fitting = Array(#"{"padding": ""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 1024 - 15) + Array(#""}"#.utf8)
                    #expect(fitting.count == 1024)
                    let (fittingStatus, _) = try await client.sendRaw(path, body: fitting, sayingLength: sayingLength)
                    #expect(fittingStatus != 413)
                    try await client.expectServing()
                }
            }
        }

        // MARK: - Queue

        /// With the queue full, a request is refused with 429 and Retry-After and nothing of it is delivered; once the queue
        /// drains, requests are accepted again.
        @Test func fullQueueIs429() async throws {
            let folder = try RoutesFolder()
            let gate = Gate()
            // The function answers only once the gate opens: the first call holds the only place until then.
            let held: @Sendable (RecordedRequest) async -> StubReply = { _ in
                await gate.wait()
                return .text("done")
            }
            let stub = try await StubFunction.start(held)
            defer { Task { await stub.stop() } }
            try folder.write("slow.yaml", routeFile(routes: [.all()], functions: [.http("slow", url: stub.url, topics: ["all"])]))
            let gateway = LiveGateway(folder) { configuration in
                configuration.store.maxDepth = 1
                configuration.workers = 1
            }
            try await gateway.run { client in
                // Whatever happens, the held call ends so the gateway can shut down.
                defer { gate.open() }
                let first = try await client.post("/", json: Self.cloudEvent(id: "first"))
                #expect(first.status == .accepted)
                let refused = try await client.post("/", json: Self.cloudEvent(id: "refused"))
                #expect(refused.status == .tooManyRequests)
                #expect(refused.headers[.retryAfter] != nil)
                let error = try errorDetail(refused)
                #expect(error["code"] == "queue_full")
                #expect(
                    error["message"]
                        == "the delivery queue is full: it holds 1 of 1 invocations and cannot take 1 more; retry later; nothing of the request was accepted")
                let ready = try await client.send(.get, "/readyz")
                #expect(ready.status == .serviceUnavailable)
                try await client.expectServing()
                // Drained: accepted again.
                gate.open()
                #expect(
                    try await eventually {
                        try await client.post("/", json: Self.cloudEvent(id: "later")).status == .accepted
                    })
                try await stub.waitForRequests(count: 2, timeout: .seconds(30))
                #expect(stub.requests.map(\.text) == [Self.cloudEvent(id: "first"), Self.cloudEvent(id: "later")])
            }
        }

        /// A request whose calls do not all fit is refused whole: none of its calls is made.
        @Test func aRequestThatDoesNotFitIsRefusedWhole() async throws {
            let folder = try RoutesFolder()
            try await StubFunction.withStub { stub in
                let each = FunctionDeclaration.http("each", url: stub.url, topics: ["all"], body: "cloudevent")
                try folder.write("each.yaml", routeFile(routes: [.all()], functions: [each]))
                try await LiveGateway(folder, { $0.store.maxDepth = 2 }).run { client in
                    let batch = "[" + ["b-1", "b-2", "b-3"].map { Self.cloudEvent(id: $0) }.joined(separator: ",") + "]"
                    let refused = try await client.send(
                        .post, "/", headers: [("Content-Type", "application/cloudevents-batch+json")], body: Array(batch.utf8))
                    #expect(refused.status == .tooManyRequests)
                    #expect(try errorDetail(refused)["code"] == "queue_full")
                    // A request that fits is delivered, and it alone.
                    let accepted = try await client.post("/", json: Self.cloudEvent(id: "single"))
                    #expect(accepted.status == .accepted)
                    try await stub.waitForRequests(count: 1, timeout: .seconds(30))
                    #expect(
                        try stub.requests.map { try Envelope(cloudEventJSON: $0.body).id } == ["single"])
                }
            }
        }

        static func cloudEvent(id: String) -> String {
            #"{"specversion":"1.0","id":"\#(id)","source":"/tests","type":"com.example.test"}"#
        }
    }
}

/// A request the gateway must refuse, and how.
struct BadRequest: Sendable, CustomStringConvertible {
    var path: String
    var contentType: String
    var body: String
    var status: HTTPResponse.Status
    var code: String
    /// A part of the message.
    var message: String

    init(_ path: String, _ contentType: String, _ body: String, _ status: HTTPResponse.Status, _ code: String, _ message: String) {
        (self.path, self.contentType, self.body, self.status, self.code, self.message) = (path, contentType, body, status, code, message)
    }

    var description: String { "\(path) \(contentType) -> \(status.code) \(code)" }
}
