/// Yandex Container Registry trigger: `{"messages": [{"event_metadata": {...}, "details": {"registry_id", "repository_name", "tag", ...}}]}`.
///
/// Event types `yandex.cloud.events.containerregistry.CreateImage`, `DeleteImage`, `CreateImageTag` and
/// `DeleteImageTag` (a push emits both CreateImage and CreateImageTag). One envelope per message: source
/// the registry, subject `repository:tag`, data the details.
public struct YandexContainerRegistry: YandexEventDialect {
    public init() {}

    public let name = "yandex.containerregistry"
    public let summary = "Yandex Container Registry trigger: messages[] of image and tag create/delete events"
    public let signature: String? = "messages[] whose first element has event_metadata.event_type yandex.cloud.events.containerregistry.*"

    struct Details: YandexDetails, Codable {
        static let eventTypes = YandexEventTypes.under("yandex.cloud.events.containerregistry.")
        var image_digest: String?
        var image_id: String?
        var registry_id: String
        var repository_name: String?
        var tag: String?
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let batch = try input.decode(YandexBatch<Details>.self)
        return batch.messages.enumerated().map { index, message in
            let details = message.details.value
            var envelope = yandexEnvelope(
                message.event_metadata, source: URIReference.path("yandex", "cr", details.registry_id), batchIndex: index, input: input)
            // `repository:tag` as `docker pull` names it; a tag alone names nothing, so no subject then.
            if let repository = YandexMessages.nonEmpty(details.repository_name) {
                envelope.subject = YandexMessages.nonEmpty(details.tag).map { repository + ":" + $0 } ?? repository
            }
            envelope.datacontenttype = MediaType.json
            envelope.data = .json(message.details.raw)
            return envelope
        }
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexContainerRegistry.Details: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            image_digest: members.decodeIfPresent("image_digest"),
            image_id: members.decodeIfPresent("image_id"),
            registry_id: members.decode("registry_id"),
            repository_name: members.decodeIfPresent("repository_name"),
            tag: members.decodeIfPresent("tag")
        )
    }
}
