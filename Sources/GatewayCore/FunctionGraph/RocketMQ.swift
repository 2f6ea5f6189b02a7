/// FunctionGraph DMS for RocketMQ trigger: `{"trigger_type": "ROCKETMQ", "instance_id", "records": [{"messages": [...], "topic_id"}]}`.
///
/// One envelope per message, mapped as Kafka's (see `QueueTriggerEvent`); messages carry no ids, so
/// ids are derived.
public struct RocketMQ: Dialect {
    public init() {}

    public let name = "functiongraph.rocketmq"
    public let summary = "Huawei FunctionGraph RocketMQ trigger: messages of a DMS RocketMQ topic"
    public let signature: String? = "trigger_type \"ROCKETMQ\""
    public let detectionAnchor: String? = "trigger_type"

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        matchesQueueTrigger(probe, triggerType: "ROCKETMQ")
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        queueTriggerElements(input)
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        try queueTriggerEnvelopes(input, triggerType: "ROCKETMQ", service: "rocketmq", channel: .topic, type: "com.huaweicloud.dms.rocketmq.message")
    }
}
