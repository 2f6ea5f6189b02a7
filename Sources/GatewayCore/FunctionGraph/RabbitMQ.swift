/// FunctionGraph DMS for RabbitMQ trigger: `{"trigger_type": "RABBITMQ", "records": [{"messages": [...], "instance_id", "exchange"}]}`.
///
/// One envelope per message (see `QueueTriggerEvent` for the accepted layouts); the exchange names the
/// channel. The trigger was announced and its SDK package withdrawn upstream, so the shape is uncertain.
public struct RabbitMQ: Dialect {
    public init() {}

    public let name = "functiongraph.rabbitmq"
    public let summary = "Huawei FunctionGraph RabbitMQ trigger: messages of a DMS RabbitMQ exchange"
    public let signature: String? = "trigger_type \"RABBITMQ\""
    public let detectionAnchor: String? = "trigger_type"

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        matchesQueueTrigger(probe, triggerType: "RABBITMQ")
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        queueTriggerElements(input)
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        try queueTriggerEnvelopes(input, triggerType: "RABBITMQ", service: "rabbitmq", channel: .exchange, type: "com.huaweicloud.dms.rabbitmq.message")
    }
}
