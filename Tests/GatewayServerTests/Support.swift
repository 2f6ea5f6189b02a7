import AsyncHTTPClient
import Foundation
import GatewayCore
import GatewayServer
import GatewayStubs
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import NIOCore
import NIOHTTP1
import Testing

// Helpers shared by the suites that run the whole gateway: a gateway on a temporary routes folder,
// route and function declarations in YAML, answers read as JSON, and waits that poll.

/// A gateway on a routes folder, run live (a real server on 127.0.0.1, port 0, and a real client).
struct LiveGateway {
    let folder: RoutesFolder
    var configuration: GatewayConfiguration
    /// Everything the gateway logged.
    let logs = InMemoryLogHandler()

    /// - Parameters:
    ///   - folder: The routes folder.
    ///   - adjust: Changes to the test configuration: port 0, routes reloaded once a minute (SIGHUP from
    ///     other suites still reloads them), the SQLite store in the folder's own data directory, and
    ///     everything else at its default.
    init(_ folder: RoutesFolder, _ adjust: (inout GatewayConfiguration) -> Void = { _ in }) {
        self.folder = folder
        var configuration = GatewayConfiguration(port: 0, routesDirectory: folder.path)
        configuration.reloadInterval = .seconds(60)
        configuration.store.directory = folder.dataPath
        adjust(&configuration)
        self.configuration = configuration
    }

    /// Runs the gateway for the duration of `body`, then shuts it down gracefully.
    func run<Value: Sendable>(_ body: @escaping @Sendable (GatewayClient) async throws -> Value) async throws -> Value {
        let logs = logs
        let gateway = Gateway(configuration: configuration, logger: Logger(label: "gateway", factory: { _ in logs }))
        return try await gateway.makeApplication().test(.live) { client in
            try await body(GatewayClient(client: client))
        }
    }
}

/// The client of a ``LiveGateway``: requests over the test framework's connection, and concurrent ones
/// over AsyncHTTPClient.
struct GatewayClient: Sendable {
    let client: any TestClientProtocol

    var port: Int { client.port ?? 0 }

    /// Sends a request; `headers` in order, names as written.
    func send(
        _ method: HTTPRequest.Method = .post, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws -> TestResponse {
        var fields = HTTPFields()
        for (name, value) in headers {
            let field = try #require(HTTPField.Name(name), "invalid header name \(name)")
            fields.append(HTTPField(name: field, value: value))
        }
        return try await client.execute(uri: path, method: method, headers: fields, body: body.map { ByteBuffer(bytes: $0) })
    }

    /// POSTs a JSON text.
    func post(_ path: String, json: String, headers: [(String, String)] = []) async throws -> TestResponse {
        try await send(.post, path, headers: [("Content-Type", "application/json")] + headers, body: Array(json.utf8))
    }

    /// Sends on a connection of its own, so that several requests can be in flight at once.
    func sendConcurrently(_ path: String, json: String, timeout: Duration = .seconds(30)) async throws -> (status: Int, body: String) {
        try await sendRaw(path, body: Array(json.utf8), timeout: timeout)
    }

    /// POSTs `body` over AsyncHTTPClient on a connection of its own: with a `Content-Length`, or, when
    /// `sayingLength` is false, chunked in two parts so that the server learns the size only by reading.
    func sendRaw(
        _ path: String, body: [UInt8], contentType: String = "application/json", sayingLength: Bool = true, timeout: Duration = .seconds(30)
    ) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        if sayingLength {
            request.body = .bytes(ByteBuffer(bytes: body))
        } else {
            let half = body.count / 2
            let chunks = [ByteBuffer(bytes: body[..<half]), ByteBuffer(bytes: body[half...])]
            request.body = .stream(AsyncStream { continuation in
                chunks.forEach { continuation.yield($0) }
                continuation.finish()
            }, length: .unknown)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout.components.seconds))
        let answer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: answer))
    }

    /// `GET /healthz` answers 200: the server still serves.
    func expectServing(sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let health = try await send(.get, "/healthz")
        #expect(health.status == .ok, sourceLocation: sourceLocation)
    }
}

// MARK: - Declarations

/// A route file's `routes:` entry.
struct RouteDeclaration {
    var id: String
    var topic: String
    /// The `when:` mapping in YAML flow style: `{type: {exists: true}}`.
    var when: String

    /// A route taking every envelope.
    static func all(_ id: String = "all", topic: String = "all") -> RouteDeclaration {
        RouteDeclaration(id: id, topic: topic, when: "{type: {exists: true}}")
    }

    var yaml: String {
        "  - id: \(id)\n    topic: \(yamlString(topic))\n    when: \(when)\n"
    }
}

/// A route file's `functions:` entry; nil keys are left out.
struct FunctionDeclaration {
    var name: String
    var namespace: String?
    /// `log`, or a one-key mapping in flow style: `{http: "http://..."}`.
    var target: String
    var topics: [String]
    var mode: String?
    var body: String?
    var contentType: String?
    var headers: [(String, String)] = []
    var timeout: String?
    var concurrency: Int?
    var callbackURL: String?

    /// An `http` function.
    static func http(
        _ name: String, url: String, topics: [String], mode: String? = nil, body: String? = nil, namespace: String? = nil
    ) -> FunctionDeclaration {
        FunctionDeclaration(name: name, namespace: namespace, target: "{http: \(yamlString(url))}", topics: topics, mode: mode, body: body)
    }

    var yaml: String {
        var lines = ["  - name: \(name)"]
        if let namespace { lines.append("    namespace: \(namespace)") }
        lines.append("    target: \(target)")
        lines.append("    topics: [\(topics.map(yamlString).joined(separator: ", "))]")
        if let mode { lines.append("    mode: \(mode)") }
        if let body { lines.append("    body: \(body)") }
        if let contentType { lines.append("    content_type: \(yamlString(contentType))") }
        if !headers.isEmpty { lines.append("    headers: {\(headers.map { "\($0.0): \(yamlString($0.1))" }.joined(separator: ", "))}") }
        if let timeout { lines.append("    timeout: \(timeout)") }
        if let concurrency { lines.append("    concurrency: \(concurrency)") }
        if let callbackURL { lines.append("    callback_url: \(yamlString(callbackURL))") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A route file with these routes and functions (either may be empty).
func routeFile(routes: [RouteDeclaration] = [], functions: [FunctionDeclaration] = []) -> String {
    var text = "routes:" + (routes.isEmpty ? " []\n" : "\n" + routes.map(\.yaml).joined())
    if !functions.isEmpty { text += "functions:\n" + functions.map(\.yaml).joined() }
    return text
}

/// A double-quoted YAML string.
func yamlString(_ text: String) -> String {
    var writer = JSONWriter()
    writer.string(text)
    return String(decoding: writer.bytes, as: UTF8.self)
}

// MARK: - Reading answers

/// The JSON value of `bytes` (Foundation objects), failing the test when it is not JSON.
func jsonValue(_ bytes: some Sequence<UInt8>, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
}

/// The JSON object of a response body.
func jsonObject(_ response: TestResponse, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String: Any] {
    try #require(try jsonValue(response.body.readableBytesView) as? [String: Any], "not a JSON object: \(String(buffer: response.body))", sourceLocation: sourceLocation)
}

/// The `error` object of an error answer, its string members.
func errorDetail(_ response: TestResponse, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String: String] {
    let object = try jsonObject(response, sourceLocation: sourceLocation)
    let error = try #require(object["error"] as? [String: Any], "no error object in \(object)", sourceLocation: sourceLocation)
    return error.compactMapValues { $0 as? String }
}

/// A JSON value as canonical text (keys sorted), for comparisons that ignore member order and spacing.
func canonicalJSON(_ value: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]) else {
        return "\(value)"
    }
    return String(decoding: data, as: UTF8.self)
}

// MARK: - Waiting

/// Waits until `condition` holds, checking every 10 ms, for at most `timeout`; returns whether it held.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

extension RecordedRequest {
    /// The request's header names, lower-cased, each once.
    var headerNames: Set<String> { Set(headers.map { $0.name.lowercased() }) }
}

extension StubFunction {
    /// The requests received on `path`.
    func requests(on path: String) -> [RecordedRequest] {
        requests.filter { $0.path == path }
    }
}

extension LiveGateway {
    /// Waits until the gateway logged `message` with metadata for which `matches` holds; returns whether
    /// it did.
    func waitForLog(
        _ message: String, timeout: Duration = .seconds(20), where matches: @escaping (Logger.Metadata) -> Bool = { _ in true }
    ) async -> Bool {
        await eventually(timeout: timeout) {
            logs.entries.contains { "\($0.message)".hasPrefix(message) && matches($0.metadata) }
        }
    }
}
