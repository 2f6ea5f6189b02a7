public import GatewayCore

/// One request a stub server received, as it arrived.
public struct RecordedRequest: Sendable, Hashable {
    /// `POST`, `GET`...
    public var method: String
    /// The request target: the path with its query, as sent (`/function/fn.ns?x=1`).
    public var target: String
    /// Every header field in arrival order, names as sent; `Host` comes first (HTTPTypes keeps it as
    /// the request's authority, so its original position is not known).
    public var headers: [HeaderField]
    /// The body, byte for byte.
    public var body: [UInt8]
    /// When the stub received it (after reading the body).
    public var receivedAt: ContinuousClock.Instant

    public init(method: String, target: String, headers: [HeaderField], body: [UInt8], receivedAt: ContinuousClock.Instant = .now) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
    }

    /// The path without the query.
    public var path: String {
        String(target.prefix { $0 != "?" })
    }

    /// The query string without `?`; nil when there is none.
    public var query: String? {
        target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        values(of: name).first
    }

    /// Every value of header `name` (case-insensitive), in order: a header sent twice shows twice.
    public func values(of name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var text: String {
        String(decoding: body, as: UTF8.self)
    }
}
