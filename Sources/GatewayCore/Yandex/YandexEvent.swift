/// Any Yandex Cloud `event_metadata` trigger without a dialect of its own: `{"messages": [{"event_metadata": {...}, "details": {...}}]}`.
///
/// Detected after the specific Yandex kinds, so it sees new services' events (and batches whose first
/// message is of such a kind), plus the empty batch `{"messages": []}`. One envelope per message: the
/// metadata gives id, type and time, the service named in the type the source, `details` the data.
public struct YandexEvent: Dialect {
    public init() {}

    public let name = "yandex.event"
    public let summary = "Yandex Cloud trigger of any other kind: messages[] with event_metadata.event_type yandex.cloud.events.*"
    public let signature: String? = "messages[] whose first element has event_metadata.event_type yandex.cloud.events.* (or is empty)"
    public let detectionAnchor: String? = "messages"

    static let prefix = "yandex.cloud.events."
    static let eventTypes = YandexEventTypes.under(prefix)

    struct Event: Decodable {
        var messages: [Message]
    }

    struct Message: Codable {
        var event_metadata: YandexMetadata
        /// Whatever the kind carries; kept verbatim.
        var details: RawJSON?

        enum CodingKeys: String, CodingKey {
            case event_metadata, details
        }
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard probe.kind("messages") == .array else { return false }
        if probe.isEmptyArray("messages") { return true }
        return YandexMessages.firstEventType(probe, isIn: Self.eventTypes)
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "messages")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        return event.messages.enumerated().map { index, message in
            let metadata = message.event_metadata
            var envelope = yandexEnvelope(metadata, source: URIReference.path("yandex", Self.service(of: metadata.event_type)), batchIndex: index, input: input)
            if let details = message.details {
                envelope.datacontenttype = MediaType.json
                envelope.data = .json(details)
            }
            return envelope
        }
    }

    /// `ydb` of `yandex.cloud.events.ydb.SomethingHappened`.
    static func service(of type: String) -> String {
        String(type.dropFirst(prefix.count).prefix { $0 != "." })
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

// In an extension, so that the memberwise initializer stays (the document path builds the value with it).
extension YandexEvent.Message {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        event_metadata = try container.decode(YandexMetadata.self, forKey: .event_metadata)
        try event_metadata.check(YandexEvent.eventTypes, message: decoder)
        details = try container.decodeIfPresent(RawJSON.self, forKey: .details)
    }
}

extension YandexEvent.Message: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        let metadata: YandexMetadata = try members.decode("event_metadata")
        try metadata.check(YandexEvent.eventTypes, messagePath: members.path)
        try self.init(event_metadata: metadata, details: members.decodeIfPresent("details"))
    }
}

extension YandexEvent.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(messages: members.decode("messages"))
    }
}
