extension Envelope {
    /// The event in the CloudEvents JSON format (`application/cloudevents+json`).
    ///
    /// Members come in a fixed order (`specversion`, `id`, `source`, `type`, the optional attributes,
    /// extensions sorted by name, then `data` or `data_base64`), so equal envelopes give equal bytes.
    public func jsonBytes(pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        write(to: &writer)
        return writer.bytes
    }

    /// A JSON array of events, the CloudEvents batch format (`application/cloudevents-batch+json`).
    public static func jsonArray(_ envelopes: [Envelope], pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.beginArray()
        for envelope in envelopes { envelope.write(to: &writer) }
        writer.endArray()
        return writer.bytes
    }

    /// Reads one event in the CloudEvents JSON format, applying every rule of the specification.
    ///
    /// - Throws: ``NormalizationError`` naming the attribute that breaks a rule.
    public init(cloudEventJSON bytes: [UInt8]) throws(NormalizationError) {
        try self.init(cloudEventJSON: JSONDocument(bytes: bytes), node: 0)
    }

    /// Reads the CloudEvents JSON object at `node` of `document`, as ``init(cloudEventJSON:)`` reads one
    /// on its own: a stored invocation's envelopes are read where they lie, not parsed again.
    package init(cloudEventJSON document: JSONDocument, node: Int) throws(NormalizationError) {
        self = try CloudEventJSON(document: document, node: node).envelope(rules: .strict).envelope
    }

    /// Writes the event in the CloudEvents JSON format, as ``jsonBytes(pretty:)`` does, as the next value of `writer`.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("specversion")
        writer.string(specversion)
        writer.key("id")
        writer.string(id)
        writer.key("source")
        writer.string(source)
        writer.key("type")
        writer.string(type)
        if let subject { writer.key("subject"); writer.string(subject) }
        if let time { writer.key("time"); writer.string(time.rfc3339) }
        if let datacontenttype { writer.key("datacontenttype"); writer.string(datacontenttype) }
        if let dataschema { writer.key("dataschema"); writer.string(dataschema) }
        for (name, value) in extensions {
            writer.key(name)
            switch value {
            case .string(let text): writer.string(text)
            case .integer(let value): writer.integer(value)
            case .boolean(let flag): writer.bool(flag)
            }
        }
        switch data {
        case .json(let json):
            writer.key("data")
            writer.raw(json)
        case .text(let text):
            writer.key("data")
            writer.string(text)
        case .binary(let bytes):
            writer.key("data_base64")
            writer.string(Base64.encode(bytes))
        case nil:
            break
        }
        writer.endObject()
    }
}
