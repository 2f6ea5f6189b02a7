// Wire types and helpers shared by the Yandex Cloud trigger dialects.
//
// Every Yandex trigger posts `{"messages": [...]}`, always a batch. Most kinds wrap each message as
// `{"event_metadata": {...}, "details": {...}}`; the dialects of those kinds decode a `YandexBatch` of
// their own `Details` type and build envelopes with `yandexEnvelope(_:source:batchIndex:input:)`.

/// `event_metadata`: the part every `event_metadata` kind shares.
struct YandexMetadata: Codable {
    var event_id: String
    var event_type: String
    /// RFC 3339 (0, 6 or 9 fraction digits) for most kinds, a protobuf `{seconds, nanos}` object for the
    /// logging kinds; `Timestamp` decodes both.
    var created_at: Timestamp?
    var cloud_id: String?
    var folder_id: String?
    var tracing_context: TracingContext?

    struct TracingContext: Codable {
        /// 16 hex digits, not a W3C trace id; `span_id` and `parent_span_id` are often empty and unused.
        var trace_id: String?
    }

    /// Rejects a message another dialect should decode, and an empty `event_id` (CloudEvents ids are non-empty).
    ///
    /// Called while decoding, before `details`: a storage batch holding a queue message must be reported
    /// as the wrong kind, not as a storage message missing `bucket_id`.
    func check(_ types: YandexEventTypes, message decoder: any Decoder) throws(NormalizationError) {
        try check(types, messagePath: (decoder as? DocumentDecoder)?.path ?? JSONPath.root)
    }

    /// ``check(_:message:)`` for the message at `messagePath`, built only when the check fails.
    func check(_ types: YandexEventTypes, messagePath: @autoclosure () -> String) throws(NormalizationError) {
        if !types.contains(event_type) {
            let path = Self.path(messagePath(), "event_type")
            throw NormalizationError.invalid(
                path: path, expected: types.expected, found: NormalizationError.quote(event_type),
                "event type \(NormalizationError.quote(event_type)) is not one this dialect decodes (expected \(types.expected)); send each kind to its own dialect or let detection choose"
            )
        }
        if event_id.isEmpty {
            throw NormalizationError.invalid(path: Self.path(messagePath(), "event_id"), expected: "a non-empty event id", found: "\"\"")
        }
    }

    /// `$.messages[i].event_metadata.<key>`, computed only for errors.
    private static func path(_ message: String, _ key: String) -> String {
        return JSONPath.member(key, of: JSONPath.member("event_metadata", of: message))
    }
}

/// The `event_type` values a dialect accepts: one exact type, or every type under a prefix.
struct YandexEventTypes: Sendable {
    /// The exact type, or the prefix ending in `.`.
    let value: String
    let isPrefix: Bool

    static func exactly(_ type: String) -> Self { Self(value: type, isPrefix: false) }
    /// Every type starting with `prefix` (which ends in `.`).
    static func under(_ prefix: String) -> Self { Self(value: prefix, isPrefix: true) }

    func contains(_ type: String) -> Bool {
        isPrefix ? type.hasPrefix(value) && type.utf8.count > value.utf8.count : type == value
    }

    /// ``contains(_:)`` over the UTF-8 bytes of a type (detection reads them in place).
    func contains(utf8 type: UnsafeBufferPointer<UInt8>) -> Bool {
        value.withUTF8Buffer { wanted in
            guard isPrefix ? type.count > wanted.count : type.count == wanted.count else { return false }
            // A plain loop: the generic prefix comparison cost more than the lookups around it.
            for index in 0..<wanted.count where type[index] != wanted[index] { return false }
            return true
        }
    }

    /// `yandex.cloud.events.storage.*` or the exact type, for errors.
    var expected: String { isPrefix ? value + "*" : value }
}

/// The `details` of one `event_metadata` kind, with the event types that carry it.
protocol YandexDetails: DocumentDecodable {
    static var eventTypes: YandexEventTypes { get }
}

/// A dialect of one `event_metadata` kind: detected by the first message's `event_type`.
protocol YandexEventDialect: Dialect {
    associatedtype Details: YandexDetails
}

extension YandexEventDialect {
    public var detectionAnchor: String? { "messages" }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        YandexMessages.firstEventType(probe, isIn: Details.eventTypes)
    }

    /// One envelope per message of `messages[]`; the logging kinds, with many entries per message, say otherwise.
    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "messages")
    }
}

/// `{"messages": [...]}` of one `event_metadata` kind.
struct YandexBatch<Details: YandexDetails>: Decodable {
    var messages: [YandexMessage<Details>]
}

/// One message: its metadata, and `details` decoded into the kind's type and kept as its JSON text.
struct YandexMessage<Details: YandexDetails>: Decodable {
    var event_metadata: YandexMetadata
    var details: Verbatim<Details>

    enum CodingKeys: String, CodingKey {
        case event_metadata, details
    }
}

// In an extension, so that the memberwise initializer stays (the document path builds the value with it).
extension YandexMessage {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        event_metadata = try container.decode(YandexMetadata.self, forKey: .event_metadata)
        try event_metadata.check(Details.eventTypes, message: decoder)
        details = try container.decode(Verbatim<Details>.self, forKey: .details)
    }
}

extension YandexMessage: Encodable where Details: Encodable {}

extension YandexBatch: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(messages: members.decode("messages"))
    }
}

extension YandexMessage: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        let metadata: YandexMetadata = try members.decode("event_metadata")
        try metadata.check(Details.eventTypes, messagePath: members.path)
        try self.init(event_metadata: metadata, details: members.decode("details"))
    }
}

enum YandexMessages {
    /// Whether the body has the `messages[].event_metadata` shape and the first message's `event_type`
    /// is one of `types`; compared in place, as every Yandex dialect asks it of every undetected body.
    static func firstEventType(_ probe: DetectionProbe, isIn types: YandexEventTypes) -> Bool {
        guard let type = probe.firstMessageEventType else { return false }
        return probe.document.withStringBytes(at: type) { types.contains(utf8: $0) }
    }

    /// Whether the first message is an object with all of `keys` (the kinds without `event_metadata`).
    static func firstMessageHas(_ probe: DetectionProbe, _ keys: String...) -> Bool {
        guard let (document, message) = probe.firstObject(in: "messages") else { return false }
        return keys.allSatisfy { document.member($0, of: message) != nil }
    }

    /// The text, or nil when it is absent or empty (CloudEvents attributes must not be empty).
    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// The messages of a logging kind as batch elements, each the source of one envelope per entry of
    /// its `details.messages[]`: a message is kept, all its entries with it, when any entry is.
    static func entryBatch(_ input: DialectInput) -> BatchElements? {
        let document = input.json
        guard let messages = document.member("messages", of: document.root), document[messages].kind == .array else { return nil }
        var batch = BatchElements(text: document.bytes)
        for (element, node) in batch.addArray(messages, of: document) {
            guard let details = document.member("details", of: node), let entries = document.member("messages", of: details),
                document[entries].kind == .array
            else { return nil }
            batch.addEnvelopes(from: element, count: Int(document[entries].count))
        }
        return batch
    }

    /// `$.messages[index]`, the start of the paths the dialects build after decoding.
    static func path(_ index: Int) -> String {
        JSONPath.element(index, of: JSONPath.member("messages", of: JSONPath.root))
    }
}

extension Dialect {
    /// The envelope parts every `event_metadata` kind shares: id `event_id`, type `event_type`, time
    /// `created_at` (else the receipt time), provenance, and the `cloudid`, `folderid` and `yctraceid`
    /// extensions; the dialect adds subject, data and its own extensions.
    func yandexEnvelope(_ metadata: YandexMetadata, source: String, batchIndex: Int, input: DialectInput) -> Envelope {
        var extensions = input.provenance(batchIndex: batchIndex)
        extensions.set("cloudid", metadata.cloud_id)
        extensions.set("folderid", metadata.folder_id)
        extensions.set("yctraceid", metadata.tracing_context?.trace_id)
        return Envelope(
            id: metadata.event_id,
            source: source,
            type: metadata.event_type,
            time: metadata.created_at ?? input.event.receivedAt,
            extensions: extensions
        )
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexMetadata.TracingContext: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(trace_id: members.decodeIfPresent("trace_id"))
    }
}

extension YandexMetadata: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            event_id: members.decode("event_id"),
            event_type: members.decode("event_type"),
            created_at: members.decodeIfPresent("created_at"),
            cloud_id: members.decodeIfPresent("cloud_id"),
            folder_id: members.decodeIfPresent("folder_id"),
            tracing_context: members.decodeIfPresent("tracing_context")
        )
    }
}
