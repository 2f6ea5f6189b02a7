/// The answer to an API Gateway (APIG) event: the HTTP response APIG sends back to its caller, as the
/// JSON object FunctionGraph functions return,
/// `{"statusCode": 200, "headers": {...}, "body": "...", "isBase64Encoded": false}`.
///
/// The gateway answers an APIG event with one of these (HTTP 200, JSON): the function's own answer when
/// it already has this shape and is valid, the function's answer wrapped otherwise, or a failure in the
/// same shape (``answer(to:)``, ``failure(_:message:)``).
public struct APIGResponse: Sendable, Hashable, Codable {
    /// The status APIG answers with, 100 to 599.
    public var statusCode: Int
    /// The headers APIG answers with; a list value is sent as repeated fields.
    public var headers: [String: APIGHeaderValue]
    /// The body: text, or base64 of the bytes when ``isBase64Encoded``.
    public var body: String
    public var isBase64Encoded: Bool

    public init(statusCode: Int, headers: [String: APIGHeaderValue] = [:], body: String = "", isBase64Encoded: Bool = false) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }

    enum CodingKeys: String, CodingKey {
        case statusCode, headers, body, isBase64Encoded
    }

    /// Decodes the four members; `headers`, `body` and `isBase64Encoded` may be absent or null (no
    /// headers, an empty body, false). No range or base64 checks: ``answer(to:)`` validates with paths.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        statusCode = try container.decode(Int.self, forKey: .statusCode)
        headers = try container.decodeIfPresent([String: APIGHeaderValue].self, forKey: .headers) ?? [:]
        body = try container.decodeIfPresent(String.self, forKey: .body) ?? ""
        isBase64Encoded = try container.decodeIfPresent(Bool.self, forKey: .isBase64Encoded) ?? false
    }

    /// The JSON form, compact, members in the order `statusCode`, `headers` (sorted by name), `body`,
    /// `isBase64Encoded`: what the gateway sends back for an APIG event.
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("statusCode")
        writer.integer(statusCode)
        writer.key("headers")
        writer.beginObject()
        for name in headers.keys.sorted() {
            writer.key(name)
            switch headers[name] {
            case .single(let value)?:
                writer.string(value)
            case .list(let values)?:
                writer.beginArray()
                values.forEach { writer.string($0) }
                writer.endArray()
            case nil:
                writer.null()
            }
        }
        writer.endObject()
        writer.key("body")
        writer.string(body)
        writer.key("isBase64Encoded")
        writer.bool(isBase64Encoded)
        writer.endObject()
        return writer.bytes
    }

    /// Framing and connection headers, which the HTTP server sets for the body it sends: an answer's
    /// own (a stale `Content-Length`, say) would break the response, so ``httpResponse()`` drops them.
    static let connectionHeaders: Set<String> = [
        "connection", "content-length", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// The HTTP response this answer stands for: the body decoded from base64 when ``isBase64Encoded``,
    /// each list header as repeated fields (headers sorted by name, list values in order), without
    /// framing and connection headers (`Content-Length`, `Transfer-Encoding`, `Connection`...).
    ///
    /// An answer whose body is not valid base64 although flagged so becomes the `invalid_function_answer`
    /// failure's response (502), which says so.
    public func httpResponse() -> (status: Int, headers: [HeaderField], body: [UInt8]) {
        var body = Array(self.body.utf8)
        if isBase64Encoded {
            guard let decoded = Base64.decode(self.body) else {
                let message = "$.body: expected base64 text (isBase64Encoded is true), found \(NormalizationError.quote(self.body))"
                return Self.failure(.invalidAnswer, message: message).httpResponse()
            }
            body = decoded
        }
        let names = headers.keys.sorted().filter { !Self.connectionHeaders.contains($0.lowercased()) }
        let fields = names.flatMap { name in (headers[name]?.values ?? []).map { HeaderField(name, $0) } }
        return (statusCode, fields, body)
    }
}
