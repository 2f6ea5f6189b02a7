import AsyncHTTPClient
import Foundation
import GatewayCore
import NIOCore
import NIOHTTP1

extension OpenFaaSDiscovery {
    /// The largest lookup answer read: thousands of functions fit easily.
    static let maxLookupBytes = 16 << 20

    /// One full build: namespaces, then the functions of each.
    func build() async throws(DiscoveryError) -> [FunctionSpec] {
        let namespaces: [String?]
        if let namespace = configuration.namespace {
            namespaces = [namespace]
        } else {
            let listed = try await listNamespaces()
            namespaces = listed.isEmpty ? [nil] : listed
        }
        var functions: [FunctionSpec] = []
        for namespace in namespaces {
            functions += try await listFunctions(namespace: namespace)
        }
        return functions
    }

    /// The topics in a `topic` annotation: split on `delimiter` when it is set and occurs, each part
    /// trimmed, empty parts dropped; without a delimiter the whole trimmed annotation is one topic.
    ///
    /// `"a, b ,c"` with `,` gives `["a", "b", "c"]`; `","` gives none; `"a|b|c,d"` with `|` gives
    /// `["a", "b", "c,d"]`; `"a , b"` without a delimiter gives `["a , b"]`.
    public static func topics(in annotation: String, delimiter: String?) -> [String] {
        let parts: [String] =
            if let delimiter, !delimiter.isEmpty, annotation.contains(delimiter) { annotation.components(separatedBy: delimiter) } else { [annotation] }
        return parts.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// The namespaces the gateway knows; none for a gateway without namespace support (404).
    func listNamespaces() async throws(DiscoveryError) -> [String] {
        let url = try endpoint("/system/namespaces")
        guard let body = try await get(url, notFoundIsEmpty: true) else { return [] }
        guard case .array(let items) = body else {
            throw DiscoveryError(.malformedResponse, url: url, "expected a JSON array of namespace names at $, found \(Self.kind(body))")
        }
        return try items.enumerated().map { (index, item) throws(DiscoveryError) in
            guard case .string(let name) = item else {
                throw DiscoveryError(.malformedResponse, url: url, "expected a namespace name (a string) at $[\(index)], found \(Self.kind(item))")
            }
            return name
        }
    }

    /// The functions of `namespace` (the gateway's default namespace when nil) that subscribe to topics.
    func listFunctions(namespace: String?) async throws(DiscoveryError) -> [FunctionSpec] {
        var url = try endpoint("/system/functions")
        if let namespace { url += "?namespace=" + Self.queryValue(namespace) }
        guard let body = try await get(url, notFoundIsEmpty: false) else { return [] }
        guard case .array(let items) = body else {
            throw DiscoveryError(.malformedResponse, url: url, "expected a JSON array of functions at $, found \(Self.kind(body))")
        }
        var functions: [FunctionSpec] = []
        for (index, item) in items.enumerated() {
            if let function = try function(item, at: "$[\(index)]", namespace: namespace, url: url) { functions.append(function) }
        }
        return functions
    }

    /// One `FunctionStatus` object as a function spec; nil when it subscribes to no topic.
    private func function(_ item: JSONValue, at path: String, namespace: String?, url: String) throws(DiscoveryError) -> FunctionSpec? {
        guard case .object = item else {
            throw DiscoveryError(.malformedResponse, url: url, "expected a function object at \(path), found \(Self.kind(item))")
        }
        guard case .string(let name)? = item["name"], !name.isEmpty else {
            throw DiscoveryError(.malformedResponse, url: url, "expected the function's name (a non-empty string) at \(path).name, found \(Self.kind(item["name"]))")
        }
        let declared: String?
        switch item["namespace"] {
        case .string(let value) where !value.isEmpty: declared = value
        case nil, .null, .string: declared = nil
        case let other?:
            throw DiscoveryError(.malformedResponse, url: url, "expected a string at \(path).namespace, found \(Self.kind(other))")
        }
        let topic: String
        switch item["annotations"] {
        case nil, .null: return nil
        case .object(let annotations):
            switch annotations.first(where: { $0.key == "topic" })?.value {
            case nil, .null: return nil
            case .string(let value): topic = value
            case let other?:
                throw DiscoveryError(.malformedResponse, url: url, "expected a string at \(path).annotations.topic, found \(Self.kind(other))")
            }
        case let other?:
            throw DiscoveryError(.malformedResponse, url: url, "expected an object at \(path).annotations, found \(Self.kind(other))")
        }
        let topics = Self.topics(in: topic, delimiter: configuration.topicDelimiter)
        guard !topics.isEmpty else { return nil }
        let defaults = configuration.functionDefaults
        return FunctionSpec(
            name: name, namespace: namespace ?? declared, target: .openfaas(gateway: configuration.gatewayURL), topics: topics, mode: defaults.mode,
            body: defaults.body, contentType: defaults.contentType, headers: defaults.headers, timeout: defaults.timeout,
            concurrency: defaults.concurrency, callbackURL: defaults.callbackURL)
    }

    /// `{gateway}{path}`, keeping the gateway's own path prefix.
    private func endpoint(_ path: String) throws(DiscoveryError) -> String {
        let gateway = configuration.gatewayURL
        guard let components = URLComponents(string: gateway), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty, components.query == nil
        else {
            throw DiscoveryError(.invalidGatewayURL, url: gateway, "the OpenFaaS gateway URL must be an absolute http or https URL without a query")
        }
        return (gateway.hasSuffix("/") ? String(gateway.dropLast()) : gateway) + path
    }

    /// GETs `url` with the lookup credentials and parses the JSON answer.
    ///
    /// - Returns: The JSON; nil for an empty body, or a 404 when `notFoundIsEmpty`.
    private func get(_ url: String, notFoundIsEmpty: Bool) async throws(DiscoveryError) -> JSONValue? {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "event-gateway")
        if let credentials = configuration.credentials {
            request.headers.add(name: "Authorization", value: "Basic " + Base64.encode(Array("\(credentials.user):\(credentials.password)".utf8)))
        }
        let status: UInt
        let body: [UInt8]
        do {
            let response = try await client.execute(request, deadline: .after(configuration.requestTimeout), logger: logger)
            status = response.status.code
            body = Array(try await response.body.collect(upTo: Self.maxLookupBytes).readableBytesView)
        } catch {
            throw DiscoveryError(.unreachable, url: url, "no answer from the OpenFaaS gateway: \(Invoker.describe(error))")
        }
        if status == 404, notFoundIsEmpty { return nil }
        guard (200..<300).contains(status) else {
            let preview = String(decoding: body.prefix(200), as: UTF8.self)
            if status == 401 || status == 403 {
                throw DiscoveryError(.unauthorized, url: url, "the gateway answered \(status) \(preview): check the basic auth user and password")
            }
            throw DiscoveryError(.badStatus, url: url, "the gateway answered \(status) \(preview)")
        }
        guard body.contains(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) else { return nil }
        do {
            return try RawJSON(validating: body).value
        } catch {
            throw DiscoveryError(.malformedResponse, url: url, "the answer is not JSON: \(error.message)")
        }
    }

    /// Percent-encodes a query value (everything but unreserved characters).
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? text
    }

    static func kind(_ value: JSONValue?) -> String {
        switch value {
        case nil: "nothing"
        case .null?: "null"
        case .bool?: "a boolean"
        case .number?: "a number"
        case .string(let text)?: "the string \"\(text.prefix(40))\""
        case .array?: "an array"
        case .object?: "an object"
        }
    }
}
