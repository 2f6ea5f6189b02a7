import GatewayCore
import Foundation

/// An OpenFaaS gateway for tests: a real HTTP server on 127.0.0.1, port 0, serving the API the
/// connector-sdk uses.
///
/// - `GET /system/namespaces`: the namespaces as a JSON string array, or what ``namespacesReply`` scripts;
/// - `GET /system/functions[?namespace=NS]`: the ``functions`` in that namespace (without the query,
///   those in ``defaultNamespace``) in the OpenFaaS API's shape;
/// - `POST /function/NAME[.NS]` and `POST /async-function/NAME[.NS]`: recorded, answered by
///   ``invocationReply`` (async calls answer 202 with an empty body unless scripted otherwise).
///
/// With ``credentials`` set, `/system/*` requires that basic auth and answers 401 otherwise, as a
/// gateway with auth enabled does; function routes never check it. Everything can be changed while the
/// server runs. All paths may sit under ``pathPrefix`` (a gateway behind a reverse proxy).
public final class StubOpenFaaSGateway: Sendable {
    /// A deployed function.
    public struct Function: Sendable, Hashable {
        public var name: String
        public var namespace: String?
        /// Nil is sent as a missing `annotations` member.
        public var annotations: [String: String]?

        public init(name: String, namespace: String? = nil, annotations: [String: String]? = nil) {
            self.name = name
            self.namespace = namespace
            self.annotations = annotations
        }

        /// A function with a `topic` annotation.
        public init(name: String, namespace: String? = nil, topic: String) {
            self.init(name: name, namespace: namespace, annotations: ["topic": topic])
        }
    }

    /// What `GET /system/namespaces` answers.
    public enum NamespacesReply: Sendable, Hashable {
        /// 200 with the namespaces of ``functions`` plus ``extraNamespaces``, sorted.
        case fromFunctions
        /// 200 with exactly these.
        case list([String])
        /// This status with a short text body (404: a provider without namespace support).
        case status(Int)
        /// 200 with this body as is (garbage, an empty body...).
        case body(String)
    }

    /// Basic auth credentials.
    public struct Credentials: Sendable, Hashable {
        public var user: String
        public var password: String
        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    private struct Settings {
        var functions: [Function]
        var defaultNamespace: String?
        var extraNamespaces: [String] = []
        var namespacesReply: NamespacesReply = .fromFunctions
        var functionsStatus: Int?
        var credentials: Credentials?
        var invocationReply: @Sendable (RecordedRequest) async -> StubReply = StubOpenFaaSGateway.defaultInvocationReply
    }

    private let server: StubServer
    private let settings: Locked<Settings>
    public let pathPrefix: String

    private init(server: StubServer, settings: Locked<Settings>, pathPrefix: String) {
        self.server = server
        self.settings = settings
        self.pathPrefix = pathPrefix
    }

    /// Starts a gateway serving `functions`.
    ///
    /// - Parameters:
    ///   - functions: The deployed functions.
    ///   - defaultNamespace: The namespace listed when `/system/functions` comes without a query (nil:
    ///     the functions in no namespace).
    ///   - credentials: Basic auth required on `/system/*`; nil requires none.
    ///   - pathPrefix: A path the whole API sits under (`/openfaas`); empty by default.
    public static func start(
        functions: [Function] = [], defaultNamespace: String? = nil, credentials: Credentials? = nil, pathPrefix: String = ""
    ) async throws -> StubOpenFaaSGateway {
        let settings = Locked(Settings(functions: functions, defaultNamespace: defaultNamespace, credentials: credentials))
        let server = try await StubServer.start { request in
            await answer(request, settings: settings, prefix: pathPrefix)
        }
        return StubOpenFaaSGateway(server: server, settings: settings, pathPrefix: pathPrefix)
    }

    /// `http://127.0.0.1:PORT` followed by ``pathPrefix``: the gateway URL to configure.
    public var url: String { server.url + pathPrefix }

    /// The deployed functions; set to redeploy.
    public var functions: [Function] {
        get { settings.withLock { $0.functions } }
        set { settings.withLock { $0.functions = newValue } }
    }

    /// Namespaces listed besides those of ``functions`` (empty namespaces).
    public var extraNamespaces: [String] {
        get { settings.withLock { $0.extraNamespaces } }
        set { settings.withLock { $0.extraNamespaces = newValue } }
    }

    public var namespacesReply: NamespacesReply {
        get { settings.withLock { $0.namespacesReply } }
        set { settings.withLock { $0.namespacesReply = newValue } }
    }

    /// When set, `/system/functions` answers this status instead of the list.
    public var functionsStatus: Int? {
        get { settings.withLock { $0.functionsStatus } }
        set { settings.withLock { $0.functionsStatus = newValue } }
    }

    public var credentials: Credentials? {
        get { settings.withLock { $0.credentials } }
        set { settings.withLock { $0.credentials = newValue } }
    }

    /// Answers later function calls with `respond`.
    public func replyToInvocations(_ respond: @escaping @Sendable (RecordedRequest) async -> StubReply) {
        settings.withLock { $0.invocationReply = respond }
    }

    /// Every request received, lookups and invocations, in arrival order.
    public var requests: [RecordedRequest] { server.requests }

    /// The `/system/*` requests.
    public var lookups: [RecordedRequest] { requests.filter { isLookup($0) } }

    /// The `/function/*` and `/async-function/*` requests.
    public var invocations: [RecordedRequest] { requests.filter { !isLookup($0) } }

    /// Waits until at least `count` invocations arrived.
    @discardableResult
    public func waitForInvocations(count: Int, timeout: Duration = .seconds(10)) async throws -> [RecordedRequest] {
        try await server.waitForRequests(count: count, timeout: timeout) { !self.isLookup($0) }
    }

    /// Waits until at least `count` lookups arrived.
    @discardableResult
    public func waitForLookups(count: Int, timeout: Duration = .seconds(10)) async throws -> [RecordedRequest] {
        try await server.waitForRequests(count: count, timeout: timeout) { self.isLookup($0) }
    }

    public func clearRequests() { server.clearRequests() }

    public func stop() async { await server.stop() }

    private func isLookup(_ request: RecordedRequest) -> Bool {
        request.path.hasPrefix(pathPrefix + "/system/")
    }

    static let defaultInvocationReply: @Sendable (RecordedRequest) async -> StubReply = { request in
        request.path.contains("/async-function/") ? StubReply(status: 202) : .text("ok")
    }

    // MARK: - Routing

    private static func answer(_ request: RecordedRequest, settings: Locked<Settings>, prefix: String) async -> StubReply {
        guard request.path.hasPrefix(prefix) else { return .text("not found", status: 404) }
        let path = String(request.path.dropFirst(prefix.count))
        let current = settings.value
        switch (request.method, path) {
        case ("GET", "/system/namespaces"):
            if let denied = checkAuth(request, current.credentials) { return denied }
            return namespaces(current)
        case ("GET", "/system/functions"):
            if let denied = checkAuth(request, current.credentials) { return denied }
            if let status = current.functionsStatus { return .text("scripted failure", status: status) }
            return functions(current, namespace: namespaceQuery(request))
        case ("POST", _) where path.hasPrefix("/function/") || path.hasPrefix("/async-function/"):
            return await current.invocationReply(request)
        default:
            return .text("not found", status: 404)
        }
    }

    private static func checkAuth(_ request: RecordedRequest, _ credentials: Credentials?) -> StubReply? {
        guard let credentials else { return nil }
        let expected = "Basic " + Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()
        return request.header("Authorization") == expected ? nil : .text("Unauthorized", status: 401)
    }

    private static func namespaces(_ settings: Settings) -> StubReply {
        switch settings.namespacesReply {
        case .fromFunctions:
            let names = Set(settings.functions.compactMap(\.namespace) + settings.extraNamespaces).sorted()
            return .json(jsonArray(names.map(jsonString)))
        case .list(let names):
            return .json(jsonArray(names.map(jsonString)))
        case .status(let status):
            return .text("scripted status", status: status)
        case .body(let body):
            return .json(body)
        }
    }

    /// The functions of `namespace` in the shape of the OpenFaaS `FunctionStatus` list.
    private static func functions(_ settings: Settings, namespace: String?) -> StubReply {
        let listed = namespace ?? settings.defaultNamespace
        let items = settings.functions.filter { $0.namespace == listed }.map { function in
            var members = [
                "\"name\":" + jsonString(function.name), "\"image\":" + jsonString("ghcr.io/example/\(function.name):latest"),
                "\"invocationCount\":0", "\"replicas\":1", "\"availableReplicas\":1", "\"envProcess\":\"\"",
                "\"labels\":{\"faas_function\":" + jsonString(function.name) + "}",
            ]
            if let namespace = function.namespace { members.append("\"namespace\":" + jsonString(namespace)) }
            if let annotations = function.annotations {
                let pairs = annotations.sorted { $0.key < $1.key }.map { jsonString($0.key) + ":" + jsonString($0.value) }
                members.append("\"annotations\":{" + pairs.joined(separator: ",") + "}")
            }
            return "{" + members.joined(separator: ",") + "}"
        }
        return .json(jsonArray(items))
    }

    private static func namespaceQuery(_ request: RecordedRequest) -> String? {
        guard let query = request.query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == "namespace" { return String(parts[1]).removingPercentEncoding }
        }
        return nil
    }

    private static func jsonArray(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    private static func jsonString(_ text: String) -> String {
        var writer = JSONWriter()
        writer.string(text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
