/// Yandex Cloud Functions timer trigger: `{"messages": [{"event_metadata": {...}, "details": {"trigger_id", "payload"?}}]}`.
///
/// Event type `yandex.cloud.events.serverless.triggers.TimerMessage`; the cron runs in UTC. One envelope
/// per message: source the trigger, data the configured payload (JSON when it holds JSON), if any.
public struct YandexTimer: YandexEventDialect {
    public init() {}

    public let name = "yandex.timer"
    public let summary = "Yandex Cloud Functions timer trigger: messages[] of TimerMessage"
    public let signature: String? = "messages[] whose first element has event_metadata.event_type yandex.cloud.events.serverless.triggers.TimerMessage"

    struct Details: YandexDetails, Codable {
        static let eventTypes = YandexEventTypes.exactly("yandex.cloud.events.serverless.triggers.TimerMessage")
        var trigger_id: String
        /// In the current docs only; older triggers (and the official TypeScript types) have none.
        var payload: String?
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let batch = try input.decode(YandexBatch<Details>.self)
        return batch.messages.enumerated().map { index, message in
            let details = message.details.value
            var envelope = yandexEnvelope(
                message.event_metadata, source: URIReference.path("yandex", "serverless", "triggers", details.trigger_id), batchIndex: index,
                input: input)
            // An empty payload carries nothing: no data rather than an empty text.
            if let payload = YandexMessages.nonEmpty(details.payload) {
                (envelope.data, envelope.datacontenttype) = EventData.fromMessage(payload)
            }
            envelope.extensions.set("triggerid", details.trigger_id)
            return envelope
        }
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexTimer.Details: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            trigger_id: members.decode("trigger_id"),
            payload: members.decodeIfPresent("payload")
        )
    }
}
