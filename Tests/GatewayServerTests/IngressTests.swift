import Foundation
import GatewayCore
import GatewayServer
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The ingress over a real server on port 0 and a real HTTP client.
struct IngressTests {
    static func gateway(_ folder: RoutesFolder, maxBody: Int = 6 * 1024 * 1024) -> Gateway {
        var configuration = GatewayConfiguration(port: 0, maxBodyBytes: maxBody, routesDirectory: folder.path)
        configuration.reloadInterval = .seconds(60)
        configuration.store.directory = folder.dataPath
        return Gateway(configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// `/readyz` once the store has answered within the probe's 2 s. CI saw a first probe, with the other
    /// suites running, find the store still not answering; the gateway is right to say it is not ready then.
    static func readinessOnceTheStoreAnswers(_ client: some TestClientProtocol) async throws -> TestResponse {
        var ready = try await client.execute(uri: "/readyz", method: .get)
        _ = try await eventually(timeout: .seconds(30)) {
            ready = try await client.execute(uri: "/readyz", method: .get)
            return !String(buffer: ready.body).contains("store.error")
        }
        return ready
    }

    static func errorBody(_ response: TestResponse) throws -> [String: String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        return error.compactMapValues { $0 as? String }
    }

    @Test func healthAndReadiness() async throws {
        let folder = try RoutesFolder()
        try folder.write("a.yaml", RoutesFolder.routes([("smn", "com.huaweicloud.smn.notification")]))
        try await Self.gateway(folder).makeApplication().test(.live) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let ready = try await Self.readinessOnceTheStoreAnswers(client)
            #expect(ready.status == .ok)
            // Other suites send SIGHUP to this process, which reloads (and versions) every gateway's table.
            let body = try #require(try JSONSerialization.jsonObject(with: Data(ready.body.readableBytesView)) as? [String: String])
            #expect(body["status"] == "ready")
            #expect(Int(body["routes.version"] ?? "") ?? 0 >= 1)
        }
    }

    @Test func notReadyWithoutARouteTable() async throws {
        let folder = try RoutesFolder()
        try folder.write("broken.yaml", "routes: [")
        try await Self.gateway(folder).makeApplication().test(.live) { client in
            let ready = try await Self.readinessOnceTheStoreAnswers(client)
            #expect(ready.status == .serviceUnavailable)
            #expect(String(buffer: ready.body) == #"{"queue.held":"0","routes.errors":"1","routes.version":"0","status":"not ready","store":"sqlite"}"#)
        }
    }

    @Test func acceptsADetectedEventAndAnswersItsIDs() async throws {
        let folder = try RoutesFolder()
        let body = """
            {"record":[{"event_version":"1.0","smn":{"topic_urn":"urn:smn:cn-north-4:0123:orders","timestamp":"2026-01-02T03:04:05Z",\
            "message_id":"m-1","message":"hello","subject":"s","type":"Notification","message_attributes":null,"signature_version":"v1"},\
            "event_subscription_urn":"urn:fss:cn-north-4:0123:function:default:f:latest","event_source":"smn"}]}
            """
        try await Self.gateway(folder).makeApplication().test(.live) { client in
            let response = try await client.execute(
                uri: "/", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(response.status == .accepted)
            // No route takes it: accepted, nothing queued, one "no subscribers" result.
            #expect(String(buffer: response.body) == #"{"accepted":["m-1"],"queued":0,"unsubscribed":1}"#)
        }
    }

    /// Each rejection: the status, the error code, and the server keeps serving.
    @Test(arguments: [
        ("/", "application/json", "{\"record\": [", HTTPResponse.Status.badRequest, "malformed_json"),
        ("/", "text/csv", "a,b", .unsupportedMediaType, "unsupported_content_type"),
        ("/events/nope", "application/json", "{}", .notFound, "unknown_dialect"),
        ("/", "application/json", "{\"hello\": \"world\"}", .unprocessableContent, "undetected_dialect"),
        ("/events/functiongraph.smn", "application/json", "{\"record\": [{\"smn\": 5}]}", .unprocessableContent, "type_mismatch"),
    ])
    func rejectsBadInput(path: String, contentType: String, body: String, status: HTTPResponse.Status, code: String) async throws {
        let folder = try RoutesFolder()
        try await Self.gateway(folder).makeApplication().test(.live) { client in
            let response = try await client.execute(
                uri: path, method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: body))
            #expect(response.status == status)
            #expect(response.headers[.contentType] == "application/json")
            let error = try Self.errorBody(response)
            #expect(error["code"] == code)
            #expect(error["message"]?.isEmpty == false)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }

    @Test func malformedJSONNamesLineAndColumn() async throws {
        let folder = try RoutesFolder()
        try await Self.gateway(folder).makeApplication().test(.live) { client in
            let response = try await client.execute(
                uri: "/events/functiongraph.smn", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\n  \"record\": [,]\n}"))
            #expect(response.status == .badRequest)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: [String: Any]])
            #expect(object["error"]?["line"] as? Int == 2)
            #expect(object["error"]?["column"] as? Int == 14)
        }
    }

    @Test func oversizeBodiesGet413NamingTheLimit() async throws {
        let folder = try RoutesFolder()
        try await Self.gateway(folder, maxBody: 64).makeApplication().test(.live) { client in
            let response = try await client.execute(
                uri: "/", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"padding\": \"" + String(repeating: "x", count: 200) + "\"}"))
            #expect(response.status == .contentTooLarge)
            let error = try Self.errorBody(response)
            #expect(error["code"] == "body_too_large")
            #expect(error["message"] == "the request body is larger than the limit of 64 bytes (server.max_body)")
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }
}
