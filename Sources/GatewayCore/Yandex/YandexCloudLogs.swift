/// Yandex Cloud Logs trigger (legacy, before Cloud Logging): `{"messages": [{"event_metadata": {...}, "details": {"messages": [entry...]}}]}`.
///
/// Event type `yandex.cloud.events.serverless.triggers.CloudLogsMessageBatch`; entries are
/// `{log_group_id, log_stream_name, message, timestamp}`. One envelope per entry: id `event_id/j`,
/// source the log stream, time the entry's, data the entry.
public struct YandexCloudLogs: YandexEventDialect {
    public init() {}

    public let name = "yandex.cloudlogs"
    public let summary = "Yandex Cloud Logs trigger (legacy): messages[] of CloudLogsMessageBatch, one event per log entry"
    public let signature: String? = "messages[] whose first element has event_metadata.event_type yandex.cloud.events.serverless.triggers.CloudLogsMessageBatch"

    struct Details: YandexDetails, Codable {
        static let eventTypes = YandexEventTypes.exactly("yandex.cloud.events.serverless.triggers.CloudLogsMessageBatch")
        var messages: [Verbatim<Entry>]
    }

    struct Entry: Codable {
        var log_group_id: String
        var log_stream_name: String
        var timestamp: Timestamp?
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
                let source = URIReference.path("yandex", "logs", entry.value.log_group_id, entry.value.log_stream_name)
                var envelope = yandexEnvelope(metadata, source: source, batchIndex: envelopes.count, input: input)
                // One message carries many entries under one event_id.
                envelope.id = "\(metadata.event_id)/\(position)"
                envelope.time = entry.value.timestamp ?? envelope.time
                envelope.datacontenttype = MediaType.json
                envelope.data = .json(entry.raw)
                envelopes.append(envelope)
            }
        }
        return envelopes
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexCloudLogs.Details: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(messages: members.decode("messages"))
    }
}

extension YandexCloudLogs.Entry: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            log_group_id: members.decode("log_group_id"),
            log_stream_name: members.decode("log_stream_name"),
            timestamp: members.decodeIfPresent("timestamp")
        )
    }
}
