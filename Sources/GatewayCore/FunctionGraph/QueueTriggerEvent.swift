/// The body FunctionGraph's queue triggers (DMS for Kafka, open-source Kafka, RocketMQ, RabbitMQ) share.
///
/// Three layouts are documented and all are accepted: messages at the top level beside `instance_id`
/// and `topic_id` (Huawei 2021), `records[]` each naming its instance and topic (console template
/// 2021), and `records[]` under a top-level `instance_id` (the OTC runtimes). A record's own
/// `instance_id`, `topic_id` or `exchange` wins over the top-level one.
struct QueueTriggerEvent: Codable {
    var event_version: String?
    /// Epoch seconds in every sample; the documentation tables show an ISO string.
    var event_time: Timestamp?
    var trigger_type: String
    var region: String?
    var instance_id: String?
    var topic_id: String?
    var exchange: String?
    var messages: [Message]?
    var records: [Record]?

    struct Record: Codable {
        var messages: [Message]
        var instance_id: String?
        var topic_id: String?
        var exchange: String?
    }

    /// A message element: a string, or `{"message": "..."}` as the NODE typings also allow.
    struct Message: Codable {
        var text: String

        private struct Wrapped: Codable, DocumentObjectDecodable {
            var message: String

            init(members: JSONObjectReader) throws(NormalizationError) {
                message = try members.decode("message")
            }
        }

        init(from decoder: any Decoder) throws {
            if let decoder = decoder as? DocumentDecoder {
                self = try Self(document: decoder.document, node: decoder.node)
            } else if let single = try? decoder.singleValueContainer(), let string = try? single.decode(String.self) {
                text = string
            } else {
                text = try Wrapped(from: decoder).message
            }
        }

        init(document: JSONDocument, node: Int) throws(NormalizationError) {
            switch document[node].kind {
            case .string: text = document.string(at: node)
            case .object: text = try Wrapped(document: document, node: node).message
            default:
                throw NormalizationError.typeMismatch(
                    path: document.path(of: node), expected: "a string or an object with a string \"message\"",
                    found: document.describe(node))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var single = encoder.singleValueContainer()
            try single.encode(text)
        }
    }

    /// The member naming a record's channel: Kafka and RocketMQ topics, RabbitMQ exchanges.
    enum Channel {
        case topic
        case exchange

        /// The source path segment before the channel's name.
        var collection: String {
            switch self {
            case .topic: "topics"
            case .exchange: "exchanges"
            }
        }

        /// The extension carrying the channel's name.
        var extensionName: String {
            switch self {
            case .topic: "topic"
            case .exchange: "exchange"
            }
        }

        func name(of record: Record) -> String? {
            switch self {
            case .topic: record.topic_id
            case .exchange: record.exchange
            }
        }

        func name(of event: QueueTriggerEvent) -> String? {
            switch self {
            case .topic: event.topic_id
            case .exchange: event.exchange
            }
        }
    }
}

extension Dialect {
    /// Whether the body is a queue trigger event of `triggerType` (`KAFKA`, `ROCKETMQ`, `RABBITMQ`).
    func matchesQueueTrigger(_ probe: DetectionProbe, triggerType: String) -> Bool {
        probe.hasString(triggerType, at: "trigger_type")
    }

    /// The messages of a queue trigger event as batch elements: `records[]`, each holding `messages[]`
    /// (a record is kept while any of its messages is), or the top-level `messages[]`.
    func queueTriggerElements(_ input: DialectInput) -> BatchElements? {
        let document = input.json
        guard let records = document.member("records", of: document.root), document[records].kind == .array else {
            return input.batch(ofArrayAt: "messages")
        }
        var batch = BatchElements(text: document.bytes)
        for (record, node) in batch.addArray(records, of: document) {
            guard let messages = document.member("messages", of: node), document[messages].kind == .array else { return nil }
            for (message, _) in batch.addArray(messages, of: document, parent: record) { batch.addEnvelopes(from: message) }
        }
        return batch
    }

    /// One envelope per message of a queue trigger event, numbered across records.
    ///
    /// - Parameters:
    ///   - triggerType: the `trigger_type` the body must carry (compared ignoring case).
    ///   - service: the source's service segment (`kafka`).
    ///   - channel: the member naming the topic or exchange.
    ///   - type: the envelopes' `type`.
    func queueTriggerEnvelopes(
        _ input: DialectInput, triggerType: String, service: String, channel: QueueTriggerEvent.Channel, type: String
    ) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(QueueTriggerEvent.self)
        guard event.trigger_type.uppercased() == triggerType else {
            throw NormalizationError.invalid(
                path: "$.trigger_type", expected: "\"\(triggerType)\"", found: NormalizationError.quote(event.trigger_type),
                "this body is a \(NormalizationError.quote(event.trigger_type)) trigger event, not \(triggerType)")
        }
        let records: [QueueTriggerEvent.Record]
        if let nested = event.records {
            // Never drop messages silently: a body with both layouts is ambiguous.
            if let flat = event.messages, !flat.isEmpty {
                throw NormalizationError.invalid(
                    path: "$.messages", expected: "no top-level messages beside records", found: flat.count == 1 ? "1 top-level message" : "\(flat.count) top-level messages",
                    "the body has both records[] and top-level messages[]; send one layout")
            }
            records = nested
        } else if let flat = event.messages {
            records = [QueueTriggerEvent.Record(messages: flat)]
        } else {
            throw NormalizationError.missing("records", in: JSONPath.root)
        }
        let nonEmpty: (String?) -> String? = { $0.flatMap { $0.isEmpty ? nil : $0 } }
        let time = event.event_time ?? input.event.receivedAt
        let eventTime = event.event_time?.rfc3339 ?? ""
        var envelopes: [Envelope] = []
        envelopes.reserveCapacity(records.reduce(0) { $0 + $1.messages.count })
        for (recordIndex, record) in records.enumerated() {
            // Everything but the message is shared by the record's envelopes: build it once.
            let instance = nonEmpty(record.instance_id) ?? nonEmpty(event.instance_id)
            let channelName = nonEmpty(channel.name(of: record)) ?? nonEmpty(channel.name(of: event))
            let source = URIReference.path("huaweicloud", service, instance ?? "unknown", channel.collection, channelName ?? "unknown")
            var shared = input.provenance()
            shared.set("instanceid", instance)
            shared.set(channel.extensionName, channelName)
            shared.set("region", event.region)
            shared.set("eventversion", event.event_version)
            for (messageIndex, message) in record.messages.enumerated() {
                let (data, contentType) = EventData.fromMessage(message.text)
                var extensions = shared
                extensions["batchindex"] = .integer(envelopes.count)
                let id = derivedID(
                    [.text(instance ?? ""), .text(channelName ?? ""), .text(eventTime), .number(recordIndex), .number(messageIndex), .text(message.text)],
                    timeless: event.event_time == nil, input: input)
                envelopes.append(
                    Envelope(id: id, source: source, type: type, time: time, datacontenttype: contentType, data: data, extensions: extensions))
            }
        }
        return envelopes
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension QueueTriggerEvent.Message: DocumentDecodable {}

extension QueueTriggerEvent.Record: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            messages: members.decode("messages"),
            instance_id: members.decodeIfPresent("instance_id"),
            topic_id: members.decodeIfPresent("topic_id"),
            exchange: members.decodeIfPresent("exchange")
        )
    }
}

extension QueueTriggerEvent: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            event_version: members.decodeIfPresent("event_version"),
            event_time: members.decodeIfPresent("event_time"),
            trigger_type: members.decode("trigger_type"),
            region: members.decodeIfPresent("region"),
            instance_id: members.decodeIfPresent("instance_id"),
            topic_id: members.decodeIfPresent("topic_id"),
            exchange: members.decodeIfPresent("exchange"),
            messages: members.decodeIfPresent("messages"),
            records: members.decodeIfPresent("records")
        )
    }
}
