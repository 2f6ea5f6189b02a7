/// Yandex Message Queue trigger: `{"messages": [{"event_metadata": {...}, "details": {"queue_id", "message": {...}}}]}`.
///
/// Event type `yandex.cloud.events.messagequeue.QueueMessage`; up to 1000 messages per batch, delivered at
/// least once (a failed call re-queues them). One envelope per message: source the queue's YRN, data the
/// body (JSON when it holds JSON), the send time and user attributes as extensions.
public struct YandexMessageQueue: YandexEventDialect {
    public init() {}

    public let name = "yandex.messagequeue"
    public let summary = "Yandex Message Queue trigger: messages[] of QueueMessage"
    public let signature: String? = "messages[] whose first element has event_metadata.event_type yandex.cloud.events.messagequeue.QueueMessage"

    struct Details: YandexDetails, Codable {
        static let eventTypes = YandexEventTypes.exactly("yandex.cloud.events.messagequeue.QueueMessage")
        /// `yrn:yc:ymq:<region>:<account>:<queue>`, already a URI.
        var queue_id: String
        var message: Message
    }

    struct Message: Codable {
        var message_id: String?
        var md5_of_body: String?
        var body: String
        var attributes: Attributes?
        /// `{<name>: {dataType, stringValue}}`; JSON text in the `attributes` extension.
        var message_attributes: JSONValue?
    }

    struct Attributes: Codable {
        /// Epoch milliseconds written as a string.
        var SentTimestamp: String?
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let batch = try input.decode(YandexBatch<Details>.self)
        var envelopes: [Envelope] = []
        envelopes.reserveCapacity(batch.messages.count)
        for (index, wire) in batch.messages.enumerated() {
            let details = wire.details.value
            // Paths are built only when an error needs one.
            func path() -> String { JSONPath.member("details", of: YandexMessages.path(index)) }
            guard !details.queue_id.isEmpty else {
                throw .invalid(path: JSONPath.member("queue_id", of: path()), expected: "a queue YRN", found: "\"\"")
            }
            let message = details.message
            func messagePath() -> String { JSONPath.member("message", of: path()) }
            var envelope = yandexEnvelope(wire.event_metadata, source: details.queue_id, batchIndex: index, input: input)
            (envelope.data, envelope.datacontenttype) = EventData.fromMessage(message.body)
            envelope.extensions.set("messageid", message.message_id)
            if let sent = message.attributes?.SentTimestamp {
                guard let time = Timestamp(parsing: sent) else {
                    let attributes = JSONPath.member("attributes", of: messagePath())
                    throw Timestamp.invalid(JSONPath.member("SentTimestamp", of: attributes), found: NormalizationError.quote(sent))
                }
                envelope.extensions.set("senttime", time)
            }
            switch message.message_attributes {
            case .object(let members)?:
                envelope.extensions.set("attributes", json: RawJSON(.object(members)))
            case nil, .null?:
                break
            case let other?:
                throw .typeMismatch(path: JSONPath.member("message_attributes", of: messagePath()), expected: "an object", found: other.shortDescription)
            }
            envelopes.append(envelope)
        }
        return envelopes
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexMessageQueue.Details: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            queue_id: members.decode("queue_id"),
            message: members.decode("message")
        )
    }
}

extension YandexMessageQueue.Message: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            message_id: members.decodeIfPresent("message_id"),
            md5_of_body: members.decodeIfPresent("md5_of_body"),
            body: members.decode("body"),
            attributes: members.decodeIfPresent("attributes"),
            message_attributes: members.decodeIfPresent("message_attributes")
        )
    }
}

extension YandexMessageQueue.Attributes: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(SentTimestamp: members.decodeIfPresent("SentTimestamp"))
    }
}
