/// FunctionGraph TIMER trigger: one firing,
/// `{"version": "v1.0", "time": "2018-06-01T08:30:00+08:00", "trigger_type": "TIMER", "trigger_name": ..., "user_event": "..."}`.
///
/// One envelope identified by trigger name and firing time; `user_event` becomes `data` (JSON when it
/// holds a JSON object or array, text otherwise).
public struct FunctionGraphTimer: Dialect {
    public init() {}

    public let name = "functiongraph.timer"
    public let summary = "Huawei FunctionGraph TIMER trigger: one scheduled firing"
    public let signature: String? = "trigger_type \"TIMER\""
    public let detectionAnchor: String? = "trigger_type"

    struct Event: Codable {
        var version: String?
        /// Local time with an offset.
        var time: Timestamp
        var trigger_type: String
        var trigger_name: String
        var user_event: String?
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        probe.hasString("TIMER", at: "trigger_type")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        // Named explicitly, the dialect must still refuse another trigger's event (KAFKA, ROCKETMQ, ...).
        guard event.trigger_type == "TIMER" else {
            throw .invalid(
                path: JSONPath.member("trigger_type", of: JSONPath.root), expected: "\"TIMER\"",
                found: NormalizationError.quote(event.trigger_type), "trigger_type must be \"TIMER\" for a timer event")
        }
        let payload = event.user_event.map(EventData.fromMessage)
        var extensions = input.provenance()
        extensions.set("triggername", event.trigger_name)
        extensions.set("eventversion", event.version)
        return [
            Envelope(
                // A trigger fires once per instant, so name and time identify the firing across retries.
                id: "\(event.trigger_name)@\(event.time.rfc3339)",
                source: URIReference.path("huaweicloud", "functiongraph", "triggers", "timer", event.trigger_name),
                type: "com.huaweicloud.functiongraph.timer",
                time: event.time,
                datacontenttype: payload?.contentType,
                data: payload?.data,
                extensions: extensions
            )
        ]
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension FunctionGraphTimer.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            version: members.decodeIfPresent("version"),
            time: members.decode("time"),
            trigger_type: members.decode("trigger_type"),
            trigger_name: members.decode("trigger_name"),
            user_event: members.decodeIfPresent("user_event")
        )
    }
}
