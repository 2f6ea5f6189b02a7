/// FunctionGraph DDS (Document Database Service, MongoDB change stream) trigger:
/// `{"records": [{"event_source": "dds", "event_name": "insert", "dds": {"token", "full_document", "ns"}}]}`.
///
/// One envelope per record, `data` being the `dds` object. `token`, `full_document` and `ns` arrive as
/// objects (Huawei 2021) or as JSON-encoded strings (OTC); `data` always holds them as objects, so
/// routes see one shape.
public struct DDS: Dialect {
    public init() {}

    public let name = "functiongraph.dds"
    public let summary = "Huawei FunctionGraph DDS trigger: records[] of MongoDB change events"
    public let signature: String? = "records[] whose first element has event_source \"dds\" (or is empty, without trigger_type)"
    public let detectionAnchor: String? = "records"

    struct Event: Codable {
        var records: [Record]
    }

    struct Record: Codable {
        var event_source: String?
        var event_name: String
        var region: String?
        var event_version: String?
        var event_source_id: String?
        /// The NODE typings' name for `event_source_id`; no sample has it.
        var event_source_ip: String?
        var dds: Verbatim<Change>
    }

    struct Change: Codable {
        /// A string ("100") in every sample, a number in the typings.
        var size_bytes: JSONValue?
        /// The change stream's resume token, `{"_data": "<hex>"}`.
        var token: EmbeddedObject?
        /// Absent on deletes, as in MongoDB change streams.
        var full_document: EmbeddedObject?
        var ns: EmbeddedObject
    }

    /// A member that is a JSON object, or a string holding one (the OTC form).
    struct EmbeddedObject: Codable {
        /// Always an object.
        var value: JSONValue
        /// Whether it arrived as a string.
        var wasString: Bool

        init(from decoder: any Decoder) throws {
            guard let decoder = decoder as? DocumentDecoder else {
                value = try JSONValue(from: decoder)
                wasString = false
                return
            }
            self = try Self(document: decoder.document, node: decoder.node)
        }

        init(document: JSONDocument, node: Int) throws(NormalizationError) {
            let expected = "an object, or a string holding a JSON object"
            switch document[node].kind {
            case .object:
                value = JSONValue(document, node)
                wasString = false
            case .string:
                let text = document.string(at: node)
                let inner: JSONDocument
                do {
                    inner = try JSONDocument(bytes: Array(text.utf8))
                } catch {
                    throw NormalizationError.invalid(
                        path: document.path(of: node), expected: expected, found: NormalizationError.quote(text),
                        "the string is not valid JSON (\(error.message))")
                }
                guard inner[inner.root].kind == .object else {
                    throw NormalizationError.invalid(
                        path: document.path(of: node), expected: expected, found: NormalizationError.quote(text),
                        "the string holds \(inner.describe(inner.root)), not a JSON object")
                }
                value = JSONValue(inner, inner.root)
                wasString = true
            default:
                throw NormalizationError.typeMismatch(path: document.path(of: node), expected: expected, found: document.describe(node))
            }
        }

        func encode(to encoder: any Encoder) throws {
            try value.encode(to: encoder)
        }
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard probe.kind("records") == .array else { return false }
        guard let (document, record) = probe.firstObject(in: "records") else {
            // Kafka's records[] shape carries trigger_type; an empty DDS batch does not.
            guard probe.isEmptyArray("records") else { return false }
            return probe.member("trigger_type") == nil
        }
        return document.member("event_source", of: record).map { document[$0].kind == .string && document.string(at: $0) == "dds" } ?? false
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "records")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        return try event.records.enumerated().map { (index, record) throws(NormalizationError) in
            let change = record.dds.value
            let path = "$.records[\(index)].dds"
            if let size = change.size_bytes {
                switch size {
                case .string, .number, .null: break
                default:
                    throw NormalizationError.typeMismatch(path: path + ".size_bytes", expected: "a string or a number", found: size.shortDescription)
                }
            }
            let database = change.ns.value["db"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            let collection = change.ns.value["coll"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            let sourceID = (record.event_source_id ?? record.event_source_ip).flatMap { $0.isEmpty ? nil : $0 }
            let document = change.full_document?.value
            var extensions = input.provenance(batchIndex: index)
            extensions.set("region", record.region)
            extensions.set("eventversion", record.event_version)
            extensions.set("database", database)
            extensions.set("collection", collection)
            let id = change.token?.value["_data"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
                ?? derivedID(
                    [.text(sourceID ?? ""), .text(database ?? ""), .text(collection ?? ""), .number(index),
                     .bytes(document.map { RawJSON($0).bytes[...] } ?? [])],
                    timeless: true, input: input)
            let subject: String? =
                switch document?["_id"] {
                case .string(let text)?: text
                case let identifier?: identifier["$oid"]?.stringValue
                case nil: nil
                }
            return Envelope(
                id: id,
                source: URIReference.path(["huaweicloud", "dds", sourceID ?? "unknown"] + [database, collection].compactMap { $0 }),
                type: "com.huaweicloud.dds." + record.event_name,
                subject: subject.flatMap { $0.isEmpty ? nil : $0 },
                time: input.event.receivedAt,
                datacontenttype: MediaType.json,
                data: .json(Self.data(record.dds)),
                extensions: extensions
            )
        }
    }

    /// The `dds` object as sent, or, when some members were JSON strings, with those parsed in place.
    static func data(_ dds: Verbatim<Change>) -> RawJSON {
        let change = dds.value
        let parsed: [String: JSONValue] = [
            "token": change.token, "full_document": change.full_document, "ns": change.ns,
        ].compactMapValues { $0?.wasString == true ? $0?.value : nil }
        guard !parsed.isEmpty, case .object(let members) = dds.raw.value else { return dds.raw }
        return RawJSON(.object(members.map { JSONValue.Member($0.key, parsed[$0.key] ?? $0.value) }))
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension DDS.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(records: members.decode("records"))
    }
}

extension DDS.Record: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            event_source: members.decodeIfPresent("event_source"),
            event_name: members.decode("event_name"),
            region: members.decodeIfPresent("region"),
            event_version: members.decodeIfPresent("event_version"),
            event_source_id: members.decodeIfPresent("event_source_id"),
            event_source_ip: members.decodeIfPresent("event_source_ip"),
            dds: members.decode("dds")
        )
    }
}

extension DDS.EmbeddedObject: DocumentDecodable {}

extension DDS.Change: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            size_bytes: members.decodeIfPresent("size_bytes"),
            token: members.decodeIfPresent("token"),
            full_document: members.decodeIfPresent("full_document"),
            ns: members.decode("ns")
        )
    }
}
