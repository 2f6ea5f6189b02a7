import Foundation
import GatewayCore

/// The HTTP request an invocation becomes: always a POST.
struct OutgoingRequest: Sendable, Hashable {
    /// The URL; `log` for the log target, which sends nothing.
    var url: String
    /// Header fields in the order sent, each name once.
    var headers: [HeaderField]
    var body: [UInt8]

    /// Whether the URL is plain `http`, which the connection pool serves.
    var isPlainHTTP: Bool { url.utf8.starts(with: "http://".utf8) }
}

extension Invocation {
    /// Header names a caller or a function can never set: the HTTP client writes them.
    static let connectionHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection"]

    /// The request for this invocation.
    ///
    /// Headers, in order: `Content-Type` (the function's `content_type`, else the format's type, else the
    /// trigger's), the `ce-*` attributes in binary mode, `X-Topic`, `X-Connector`, `User-Agent`,
    /// `X-Callback-Url` (async OpenFaaS calls only), `traceparent` and `tracestate` from the envelope,
    /// the per-call headers, then the function's headers. A later field replaces an earlier one of the
    /// same name, so none is sent twice.
    ///
    /// - Throws: ``InvocationError`` `invalid_target` or `invalid_invocation`.
    func request(configuration: InvokerConfiguration) throws(InvocationError) -> OutgoingRequest {
        let url = try targetURL()
        var headers = HeaderList()
        let body: [UInt8]
        var contentType: String?
        switch function.deliveredFormat {
        case .original, .grouped:
            guard let payload else {
                throw InvocationError(
                    .invalidInvocation, "function \(function.address) takes the trigger's body (body: \(function.body.rawValue)) but the invocation carries none")
            }
            body = payload.bytes
            contentType = payload.contentType ?? (body.isEmpty ? nil : "application/octet-stream")
        case .cloudevent:
            let envelope = try single("cloudevent")
            body = envelope.jsonBytes()
            contentType = MediaType.cloudEventsJSON
        case .binary:
            let envelope = try single("binary")
            let binary = envelope.binaryMode
            body = binary.body
            contentType = binary.contentType
            for field in binary.headers { headers.set(field.name, field.value) }
        }
        if let contentType = function.contentType ?? contentType { headers.setFirst("Content-Type", contentType) }
        if configuration.sendTopic, let topic = topics.first { headers.set("X-Topic", topic) }
        headers.set("X-Connector", configuration.connector)
        headers.set("User-Agent", configuration.userAgent)
        if case .openfaas = function.target, function.mode == .async, let callback = function.callbackURL ?? configuration.callbackURL {
            headers.set("X-Callback-Url", callback)
        }
        for name in ["traceparent", "tracestate"] {
            if let value = envelopes.lazy.compactMap({ $0.extensions[name] }).first { headers.set(name, value.description) }
        }
        for field in self.headers {
            let name = field.name.lowercased()
            guard name != "content-type", name != "authorization", !Self.connectionHeaders.contains(name) else { continue }
            headers.set(field.name, field.value)
        }
        for field in function.headers where !Self.connectionHeaders.contains(field.name.lowercased()) {
            headers.set(field.name, field.value)
        }
        return OutgoingRequest(url: url, headers: headers.fields, body: body)
    }

    /// The URL to POST to; `log` for the log target.
    func targetURL() throws(InvocationError) -> String {
        let url: String
        switch function.target {
        case .log: return "log"
        case .http(let endpoint): url = endpoint
        case .cloudevents(let sink): url = sink
        case .openfaas(let gateway):
            // Keep any path prefix of the gateway URL (a gateway behind a proxy path).
            let base = gateway.hasSuffix("/") ? String(gateway.dropLast()) : gateway
            let route = function.mode == .async ? "/async-function/" : "/function/"
            url = base + route + URIReference.encodeSegment(function.address)
        }
        guard Self.isAbsoluteHTTP(url) else {
            throw InvocationError(.invalidTarget, "function \(function.address) has target URL \"\(url)\", which is not an absolute http or https URL")
        }
        return url
    }

    /// Whether `url` is an absolute `http` or `https` URL with a host.
    ///
    /// Every call checks its URL, so the usual plain URL (scheme, host, then only unreserved and
    /// delimiter characters) is checked byte by byte; anything else (userinfo, IPv6 literals, escapes,
    /// other schemes) goes to `URLComponents`.
    static func isAbsoluteHTTP(_ url: String) -> Bool {
        // Over the string's own bytes: the same checks through `Substring.UTF8View` cost ~5% of a sync call.
        if url.withUTF8Buffer(isPlainHTTP) { return true }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else { return false }
        return (scheme == "http" || scheme == "https") && !(components.host ?? "").isEmpty
    }

    /// `http` or `https` in any case, `://`, a host that starts with a letter or digit, no port or 1 to
    /// 65535 in digits, and only ``isPlainURLByte(_:)`` bytes after the scheme.
    private static func isPlainHTTP(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let https: StaticString = "https"
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon == 4 || colon == 5, bytes.count > colon + 3 else { return false }
        for index in 0..<colon where bytes[index] | 0x20 != https.utf8Start[index] { return false }
        let rest = UnsafeBufferPointer(rebasing: bytes[(colon + 1)...])
        guard rest[0] == UInt8(ascii: "/"), rest[1] == UInt8(ascii: "/"), isHostStart(rest[2]), rest.allSatisfy(isPlainURLByte) else { return false }
        let authority = rest[2...].prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        guard let portColon = authority.firstIndex(of: UInt8(ascii: ":")) else { return true }
        let port = authority[(portColon + 1)...]
        guard (1...5).contains(port.count) else { return false }
        var value = 0
        for byte in port {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return (1...65535).contains(value)
    }

    private static func isHostStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }

    /// Unreserved characters and the delimiters a plain URL uses (RFC 3986), without `@`, `[`, `]`
    /// and `%`, whose forms `URLComponents` judges.
    private static func isPlainURLByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "?"),
            UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"):
            true
        default: false
        }
    }

    private func single(_ format: String) throws(InvocationError) -> Envelope {
        guard envelopes.count == 1, let envelope = envelopes.first else {
            throw InvocationError(
                .invalidInvocation,
                "function \(function.address) takes one event per request (\(format) format) but the invocation carries \(envelopes.count); build it with Invocation.deliveries(to:...)"
            )
        }
        return envelope
    }
}

/// Header fields in order, where setting a name again replaces its value in place.
struct HeaderList {
    private(set) var fields: [HeaderField] = []

    mutating func set(_ name: String, _ value: String) {
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
        fields.append(HeaderField(name, value))
    }

    /// Sets `name` as the first field.
    mutating func setFirst(_ name: String, _ value: String) {
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
        fields.insert(HeaderField(name, value), at: 0)
    }
}
