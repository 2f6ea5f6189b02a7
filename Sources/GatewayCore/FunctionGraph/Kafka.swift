/// FunctionGraph Kafka trigger, DMS for Kafka and open-source Kafka alike (their bodies are identical):
/// `{"trigger_type": "KAFKA", "instance_id", "records": [{"messages": [...], "topic_id"}]}` or one of
/// two older layouts.
///
/// One envelope per message (see `QueueTriggerEvent` for the three layouts); a message holding JSON
/// becomes JSON `data`. Messages carry no ids, offsets or partitions, so ids are derived.
public struct Kafka: Dialect {
    public init() {}

    public let name = "functiongraph.kafka"
    public let summary = "Huawei FunctionGraph Kafka trigger: messages of a DMS or open-source Kafka topic"
    public let signature: String? = "trigger_type \"KAFKA\""
    public let detectionAnchor: String? = "trigger_type"

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        matchesQueueTrigger(probe, triggerType: "KAFKA")
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        queueTriggerElements(input)
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        try queueTriggerEnvelopes(input, triggerType: "KAFKA", service: "kafka", channel: .topic, type: "com.huaweicloud.dms.kafka.message")
    }
}
