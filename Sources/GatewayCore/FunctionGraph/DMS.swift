/// FunctionGraph DMS trigger (the legacy Distributed Message Service queue):
/// `{"QueueID": ..., "ConsumerGroupID": ..., "Messages": [{"Body": "...", "Attributes": {...}}], "timestamp": "<JS date>"}`.
///
/// One envelope per message. Messages carry no id of their own, so the id is the request id plus the
/// message's position, or a hash of the queue, group, position and body; `Body` becomes `data`.
public struct DMS: Dialect {
    public init() {}

    public let name = "functiongraph.dms"
    public let summary = "Huawei FunctionGraph DMS (legacy queue) trigger: Messages[] of one queue and consumer group"
    public let signature: String? = "QueueID, ConsumerGroupID and a Messages array"
    public let detectionAnchor: String? = "Messages"

    struct Event: Codable {
        var Tag: String?
        var QueueID: String
        var ConsumerGroupID: String
        var Messages: [Message]
        var functionname: String?
        var requestId: String?
        /// A JavaScript `Date.toString()` text, "Wed Nov 15 2017 14:26:10 GMT+0800 (CST)".
        var timestamp: Timestamp?
    }

    struct Message: Codable {
        var Body: String
        /// User-defined attributes: an object or null. Decoding as a map rejects any other JSON type
        /// with its path, and the verbatim text is what the `attributes` extension carries.
        var Attributes: Verbatim<[String: JSONValue]>?
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard probe.kind("Messages") == .array, probe.kind("QueueID") != nil else { return false }
        return probe.kind("ConsumerGroupID") != nil
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "Messages")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        let requestID = event.requestId.flatMap { $0.isEmpty ? nil : $0 }
        let source = URIReference.path("huaweicloud", "dms", "queues", event.QueueID)
        var shared = input.provenance()
        shared.set("queueid", event.QueueID)
        shared.set("consumergroup", event.ConsumerGroupID)
        shared.set("tag", event.Tag)
        shared.set("functionname", event.functionname)
        shared.set("requestid", event.requestId)
        return event.Messages.enumerated().map { index, message in
            let (data, contentType) = EventData.fromMessage(message.Body)
            var extensions = shared
            extensions["batchindex"] = .integer(index)
            if let attributes = message.Attributes, !attributes.value.isEmpty {
                extensions.set("attributes", json: attributes.raw)
            }
            // The request id names one delivery, so with the position it names one message of it.
            let id = requestID.map { "\($0)/\(index)" }
                ?? derivedID(
                    [.text(event.QueueID), .text(event.ConsumerGroupID), .number(index), .text(message.Body)],
                    timeless: event.timestamp == nil, input: input)
            return Envelope(
                id: id,
                source: source,
                type: "com.huaweicloud.dms.message",
                time: event.timestamp ?? input.event.receivedAt,
                datacontenttype: contentType,
                data: data,
                extensions: extensions
            )
        }
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension DMS.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            Tag: members.decodeIfPresent("Tag"),
            QueueID: members.decode("QueueID"),
            ConsumerGroupID: members.decode("ConsumerGroupID"),
            Messages: members.decode("Messages"),
            functionname: members.decodeIfPresent("functionname"),
            requestId: members.decodeIfPresent("requestId"),
            timestamp: members.decodeIfPresent("timestamp")
        )
    }
}

extension DMS.Message: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            Body: members.decode("Body"),
            Attributes: members.decodeIfPresent("Attributes")
        )
    }
}
