import GatewayCore

/// Results are written for people and webhooks: the body as text when it is UTF-8 (`body`) and as
/// base64 otherwise (`bodyBase64`), the duration in milliseconds, and the outcome spelled out (ignored
/// when decoding: it follows from the other fields).
extension InvocationResult: Codable {
    enum CodingKeys: String, CodingKey {
        case invocationID, function, topics, envelopeIDs, url, status, headers, body, bodyBase64, durationMilliseconds, error, outcome
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(invocationID, forKey: .invocationID)
        try container.encodeIfPresent(function, forKey: .function)
        try container.encode(topics, forKey: .topics)
        try container.encode(envelopeIDs, forKey: .envelopeIDs)
        try container.encodeIfPresent(url, forKey: .url)
        try container.encodeIfPresent(status, forKey: .status)
        try container.encode(headers.map(CodableHeader.init), forKey: .headers)
        if let text = String(validating: body, as: UTF8.self) {
            try container.encode(text, forKey: .body)
        } else {
            try container.encode(Base64.encode(body), forKey: .bodyBase64)
        }
        try container.encode(duration.milliseconds, forKey: .durationMilliseconds)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encode(outcome, forKey: .outcome)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let body: [UInt8]
        if let base64 = try container.decodeIfPresent(String.self, forKey: .bodyBase64) {
            guard let bytes = Base64.decode(base64) else {
                throw DecodingError.dataCorruptedError(forKey: .bodyBase64, in: container, debugDescription: "bodyBase64 is not valid base64")
            }
            body = bytes
        } else {
            body = Array((try container.decodeIfPresent(String.self, forKey: .body) ?? "").utf8)
        }
        self.init(
            invocationID: try container.decodeIfPresent(String.self, forKey: .invocationID),
            function: try container.decodeIfPresent(String.self, forKey: .function),
            topics: try container.decode([String].self, forKey: .topics),
            envelopeIDs: try container.decode([String].self, forKey: .envelopeIDs),
            url: try container.decodeIfPresent(String.self, forKey: .url),
            status: try container.decodeIfPresent(Int.self, forKey: .status),
            headers: try container.decode([CodableHeader].self, forKey: .headers).map(\.field),
            body: body,
            duration: .milliseconds(try container.decode(Double.self, forKey: .durationMilliseconds)),
            error: try container.decodeIfPresent(InvocationError.self, forKey: .error))
    }
}

/// A header field as `{"name": ..., "value": ...}`; the stores read it without `Decoder` (see
/// ``Invocation/init(members:)``).
struct CodableHeader: Codable, Hashable, DocumentObjectDecodable {
    var name: String
    var value: String

    init(_ field: HeaderField) {
        self.name = field.name
        self.value = field.value
    }

    init(members: JSONObjectReader) throws(NormalizationError) {
        self.init(HeaderField(try members.decode("name"), try members.decode("value")))
    }

    var field: HeaderField { HeaderField(name, value) }

    /// Writes header fields as `Codable` would: an array of `{"name", "value"}`.
    static func write(_ fields: [HeaderField], to writer: inout JSONWriter) {
        writer.beginArray()
        for field in fields {
            writer.beginObject()
            writer.member("name", field.name)
            writer.member("value", field.value)
            writer.endObject()
        }
        writer.endArray()
    }
}

extension Duration {
    /// The duration in milliseconds, fractions kept.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
