/// Yandex Cloud Logging trigger: `{"messages": [{"event_metadata": {...}, "details": {"messages": [entry...]}}]}`.
///
/// Event type `yandex.cloud.events.serverless.triggers.LoggingMessageBatch`: a batch of log entries
/// inside the batch of messages, `created_at` a protobuf `{seconds, nanos}` object. One envelope per
/// entry: id `event_id/j`, source the logged resource, time the entry's, data the entry.
public struct YandexLogging: YandexEventDialect {
    public init() {}

    public let name = "yandex.logging"
    public let summary = "Yandex Cloud Logging trigger: messages[] of LoggingMessageBatch, one event per log entry"
    public let signature: String? = "messages[] whose first element has event_metadata.event_type yandex.cloud.events.serverless.triggers.LoggingMessageBatch"

    struct Details: YandexDetails, Codable {
        static let eventTypes = YandexEventTypes.exactly("yandex.cloud.events.serverless.triggers.LoggingMessageBatch")
        var messages: [Verbatim<Entry>]
    }

    struct Entry: Codable {
        var resource: Resource
        /// Go's `time.Time.String()`: `2021-09-02 18:29:17.118082213 +0000 UTC`.
        var timestamp: Timestamp?
        var level: String?
    }

    struct Resource: Codable {
        /// `serverless.function`, `serverless.containers`...
        var type: String
        var id: String
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        YandexMessages.entryBatch(input)
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let batch = try input.decode(YandexBatch<Details>.self)
        var envelopes: [Envelope] = []
        for message in batch.messages {
            let metadata = message.event_metadata
            for (position, entry) in message.details.value.messages.enumerated() {
                let resource = entry.value.resource
                var envelope = yandexEnvelope(
                    metadata, source: URIReference.path("yandex", "logging", resource.type, resource.id), batchIndex: envelopes.count, input: input)
                // One message carries many entries under one event_id.
                envelope.id = "\(metadata.event_id)/\(position)"
                envelope.time = entry.value.timestamp ?? envelope.time
                envelope.datacontenttype = MediaType.json
                envelope.data = .json(entry.raw)
                envelope.extensions.set("level", entry.value.level)
                envelopes.append(envelope)
            }
        }
        return envelopes
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexLogging.Details: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(messages: members.decode("messages"))
    }
}

extension YandexLogging.Entry: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            resource: members.decode("resource"),
            timestamp: members.decodeIfPresent("timestamp"),
            level: members.decodeIfPresent("level")
        )
    }
}

extension YandexLogging.Resource: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            type: members.decode("type"),
            id: members.decode("id")
        )
    }
}
