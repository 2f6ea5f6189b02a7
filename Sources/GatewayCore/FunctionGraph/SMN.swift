/// FunctionGraph SMN (Simple Message Notification) trigger: `{"record": [{"event_source": "smn", "smn": {...}}]}`.
///
/// One envelope per record. The message becomes `data` (JSON when it holds a JSON object, as OBS
/// notifications routed through SMN do); user message attributes go to the `attributes` extension.
public struct SMN: Dialect {
    public init() {}

    public let name = "functiongraph.smn"
    public let summary = "Huawei FunctionGraph SMN trigger: record[] of topic notifications"
    public let signature: String? = "record[] whose first element has event_source \"smn\" (or is empty)"
    public let detectionAnchor: String? = "record"

    struct Event: Codable {
        var record: [Record]
        var functionname: String?
        var requestId: String?
        var timestamp: Timestamp?
    }

    struct Record: Codable {
        var event_version: String?
        var event_source: String?
        var event_subscription_urn: String?
        var smn: Notification
    }

    struct Notification: Codable {
        var topic_urn: String
        var message_id: String?
        var type: String?
        var subject: String?
        var message: String
        var timestamp: Timestamp?
        /// `null`, `""`, `"None"` or an object of user attributes.
        var message_attributes: JSONValue?
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard probe.kind("record") == .array else { return false }
        guard let (document, record) = probe.firstObject(in: "record") else { return probe.isEmptyArray("record") }
        return document.member("event_source", of: record).map { document[$0].kind == .string && document.string(at: $0) == "smn" } ?? false
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "record")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        return event.record.enumerated().map { index, record in
            let smn = record.smn
            let (data, contentType) = EventData.fromMessage(smn.message)
            var extensions = input.provenance(batchIndex: index)
            extensions.set("subscriptionurn", record.event_subscription_urn)
            extensions.set("eventversion", record.event_version)
            extensions.set("functionname", event.functionname)
            extensions.set("requestid", event.requestId)
            extensions.set("region", FunctionGraphURN.region(of: smn.topic_urn))
            if case .object(let members)? = smn.message_attributes, !members.isEmpty {
                extensions.set("attributes", json: RawJSON(.object(members)))
            }
            let id = smn.message_id.flatMap { $0.isEmpty ? nil : $0 }
                ?? derivedID([.text(smn.topic_urn), .number(index), .text(smn.message)], input: input)
            return Envelope(
                id: id,
                source: smn.topic_urn,
                type: "com.huaweicloud.smn." + (smn.type.flatMap { $0.isEmpty ? nil : $0 } ?? "notification"),
                subject: smn.subject.flatMap { $0.isEmpty ? nil : $0 },
                time: smn.timestamp ?? event.timestamp ?? input.event.receivedAt,
                datacontenttype: contentType,
                data: data,
                extensions: extensions
            )
        }
    }
}

/// Reads Huawei resource URNs: `urn:<service>:<region>:<project>:<resource...>`.
enum FunctionGraphURN {
    /// The region part of `urn` when it has the URN shape and the part is not a placeholder.
    static func region(of urn: String?) -> String? {
        guard let urn, urn.hasPrefix("urn:") else { return nil }
        // urn:<service>:<region>:... — the text between the second and third colon.
        let utf8 = urn.utf8
        guard let first = utf8.firstIndex(of: UInt8(ascii: ":")),
            let second = utf8[utf8.index(after: first)...].firstIndex(of: UInt8(ascii: ":")),
            let third = utf8[utf8.index(after: second)...].firstIndex(of: UInt8(ascii: ":")),
            utf8.index(after: second) < third
        else { return nil }
        return String(urn[urn.index(after: second)..<third])
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension SMN.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            record: members.decode("record"),
            functionname: members.decodeIfPresent("functionname"),
            requestId: members.decodeIfPresent("requestId"),
            timestamp: members.decodeIfPresent("timestamp")
        )
    }
}

extension SMN.Record: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            event_version: members.decodeIfPresent("event_version"),
            event_source: members.decodeIfPresent("event_source"),
            event_subscription_urn: members.decodeIfPresent("event_subscription_urn"),
            smn: members.decode("smn")
        )
    }
}

extension SMN.Notification: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            topic_urn: members.decode("topic_urn"),
            message_id: members.decodeIfPresent("message_id"),
            type: members.decodeIfPresent("type"),
            subject: members.decodeIfPresent("subject"),
            message: members.decode("message"),
            timestamp: members.decodeIfPresent("timestamp"),
            message_attributes: members.decodeIfPresent("message_attributes")
        )
    }
}
