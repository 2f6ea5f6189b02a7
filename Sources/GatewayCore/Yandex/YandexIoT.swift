/// Yandex IoT Core trigger: `{"messages": [{"event_metadata": {...}, "details": {"registry_id", "device_id", "mqtt_topic", "payload"}}]}`.
///
/// Event type `yandex.cloud.events.iot.IoTMessage`, from a registry's devices (`registry_id`, `device_id`)
/// or from a broker (`broker_id`). One envelope per message: source the device or broker, subject the
/// MQTT topic, data the base64-decoded payload. Documented batches repeat one `event_id`; it is kept.
public struct YandexIoT: YandexEventDialect {
    public init() {}

    public let name = "yandex.iot"
    public let summary = "Yandex IoT Core trigger: messages[] of IoTMessage from devices or brokers"
    public let signature: String? = "messages[] whose first element has event_metadata.event_type yandex.cloud.events.iot.IoTMessage"

    struct Details: YandexDetails {
        static let eventTypes = YandexEventTypes.exactly("yandex.cloud.events.iot.IoTMessage")
        var registry_id: String?
        var device_id: String?
        var broker_id: String?
        var mqtt_topic: String
        var payload: Base64Bytes
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let batch = try input.decode(YandexBatch<Details>.self)
        var envelopes: [Envelope] = []
        envelopes.reserveCapacity(batch.messages.count)
        for (index, message) in batch.messages.enumerated() {
            let details = message.details.value
            var envelope = yandexEnvelope(message.event_metadata, source: try source(details, index: index), batchIndex: index, input: input)
            envelope.subject = YandexMessages.nonEmpty(details.mqtt_topic)
            // An empty payload carries nothing: no data rather than an empty text.
            if !details.payload.bytes.isEmpty {
                (envelope.data, envelope.datacontenttype) = EventData.fromBytes(details.payload.bytes)
            }
            envelope.extensions.set("registryid", details.registry_id)
            envelope.extensions.set("deviceid", details.device_id)
            envelope.extensions.set("brokerid", details.broker_id)
            envelopes.append(envelope)
        }
        return envelopes
    }

    /// `/yandex/iot/registries/{registry}/devices/{device}` (the device part only when known) or
    /// `/yandex/iot/brokers/{broker}`.
    private func source(_ details: Details, index: Int) throws(NormalizationError) -> String {
        if let registry = YandexMessages.nonEmpty(details.registry_id) {
            guard let device = YandexMessages.nonEmpty(details.device_id) else { return URIReference.path("yandex", "iot", "registries", registry) }
            return URIReference.path("yandex", "iot", "registries", registry, "devices", device)
        }
        if let broker = YandexMessages.nonEmpty(details.broker_id) {
            return URIReference.path("yandex", "iot", "brokers", broker)
        }
        let path = JSONPath.member("details", of: YandexMessages.path(index))
        throw NormalizationError(
            .missingField, "an IoT message needs registry_id (a device message) or broker_id (a broker message); neither is present",
            path: JSONPath.member("registry_id", of: path), expected: "registry_id or broker_id", found: "neither")
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexIoT.Details: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            registry_id: members.decodeIfPresent("registry_id"),
            device_id: members.decodeIfPresent("device_id"),
            broker_id: members.decodeIfPresent("broker_id"),
            mqtt_topic: members.decode("mqtt_topic"),
            payload: members.decode("payload")
        )
    }
}
