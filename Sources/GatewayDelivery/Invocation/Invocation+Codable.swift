import GatewayCore

/// Invocations are stored by durable queues: the function in full, each envelope as its CloudEvents JSON
/// object, the payload in base64. ``storedJSON()`` writes that form; the SQL stores, from schema version 5
/// on, write the function as its definition's id and the payload's bytes in a column of their own
/// (``storedJSON(definition:payloadApart:)``). The stores read either back with
/// ``init(stored:payload:definition:)``, straight from the parsed row; `Decodable` reads the form with the
/// function and payload in full with any decoder. Read with
/// ``JSONDocument``, each envelope comes back identical, `data` member order included; another decoder
/// may give an object's members in another order. Stores of earlier versions hold each envelope as a
/// string holding its JSON, which reads too.
extension Invocation: Decodable {
    enum CodingKeys: String, CodingKey {
        case id, function, definition, topics, envelopes, payload, headers
    }

    /// The stored form, written directly: `JSONEncoder` cost a third of the durable ingest path's CPU.
    public func storedJSON() -> [UInt8] {
        storedJSON(definition: nil, payloadApart: false)
    }

    /// The stored form, with the function named by `definition` (its id in a table of definitions) instead
    /// of written out when given, and with `payloadApart` the payload's bytes left out (only its content
    /// type written), for a column of their own: the function was a sixth of a queued row, and base64 made
    /// the payload a third larger; every byte of a row is written, read and copied several times on its way
    /// through a store.
    package func storedJSON(definition: String?, payloadApart: Bool) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key(CodingKeys.id.rawValue)
        writer.string(id)
        if let definition {
            writer.member(CodingKeys.definition.rawValue, definition)
        } else {
            writer.key(CodingKeys.function.rawValue)
            if let form = StoredFunctionCache.shared.form(of: function) { writer.raw(form) } else { StoredFunction(function).write(to: &writer) }
        }
        writer.key(CodingKeys.topics.rawValue)
        writer.strings(topics)
        writer.key(CodingKeys.envelopes.rawValue)
        writer.beginArray()
        for envelope in envelopes { envelope.write(to: &writer) }
        writer.endArray()
        if let payload {
            writer.key(CodingKeys.payload.rawValue)
            writer.beginObject()
            if !payloadApart { writer.member("base64", Base64.encode(payload.bytes)) }
            writer.member("contentType", payload.contentType)
            writer.endObject()
        }
        writer.key(CodingKeys.headers.rawValue)
        CodableHeader.write(headers, to: &writer)
        writer.endObject()
        return writer.bytes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let function = try StoredFunctionCache.shared.function(try container.decode(RawJSON.self, forKey: .function)) {
            try container.decode(StoredFunction.self, forKey: .function).spec(codingPath: container.codingPath + [CodingKeys.function])
        }
        self.init(
            function: function, topics: try container.decode([String].self, forKey: .topics),
            envelopes: try container.decode([StoredEnvelope].self, forKey: .envelopes).map(\.envelope),
            payload: try container.decodeIfPresent(StoredPayload.self, forKey: .payload)?.payload,
            headers: try container.decode([CodableHeader].self, forKey: .headers).map(\.field), id: try container.decode(String.self, forKey: .id))
    }
}
