import GatewayCore

/// Invocations are stored by durable queues: the function in full, each envelope as a string holding its
/// CloudEvents JSON (a string keeps the bytes, so the envelope reads back identical, `data` member
/// order included), the payload in base64.
extension Invocation: Codable {
    enum CodingKeys: String, CodingKey {
        case id, function, topics, envelopes, payload, headers
    }

    struct StoredPayload: Codable {
        var base64: String
        var contentType: String?
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(StoredFunction(function), forKey: .function)
        try container.encode(topics, forKey: .topics)
        try container.encode(envelopes.map { String(decoding: $0.jsonBytes(), as: UTF8.self) }, forKey: .envelopes)
        if let payload {
            try container.encode(StoredPayload(base64: Base64.encode(payload.bytes), contentType: payload.contentType), forKey: .payload)
        }
        try container.encode(headers.map(CodableHeader.init), forKey: .headers)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let function = try container.decode(StoredFunction.self, forKey: .function).spec(codingPath: container.codingPath + [CodingKeys.function])
        var envelopes: [Envelope] = []
        for (index, json) in try container.decode([String].self, forKey: .envelopes).enumerated() {
            do {
                envelopes.append(try Envelope(cloudEventJSON: Array(json.utf8)))
            } catch {
                throw DecodingError.dataCorruptedError(forKey: .envelopes, in: container, debugDescription: "envelope \(index): \(error)")
            }
        }
        var payload: Payload?
        if let stored = try container.decodeIfPresent(StoredPayload.self, forKey: .payload) {
            guard let bytes = Base64.decode(stored.base64) else {
                throw DecodingError.dataCorruptedError(forKey: .payload, in: container, debugDescription: "payload.base64 is not valid base64")
            }
            payload = Payload(bytes: bytes, contentType: stored.contentType)
        }
        self.init(
            function: function, topics: try container.decode([String].self, forKey: .topics), envelopes: envelopes, payload: payload,
            headers: try container.decode([CodableHeader].self, forKey: .headers).map(\.field), id: try container.decode(String.self, forKey: .id))
    }
}
