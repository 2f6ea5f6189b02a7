/// Yandex Object Storage trigger: `{"messages": [{"event_metadata": {...}, "details": {"bucket_id", "object_id"}}]}`.
///
/// Event types `yandex.cloud.events.storage.ObjectCreate`, `ObjectUpdate` (an ACL change) and `ObjectDelete`.
/// One envelope per message: source the bucket's storage URL, subject the object key, data the details.
public struct YandexStorage: YandexEventDialect {
    public init() {}

    public let name = "yandex.storage"
    public let summary = "Yandex Object Storage trigger: messages[] of ObjectCreate/ObjectUpdate/ObjectDelete"
    public let signature: String? = "messages[] whose first element has event_metadata.event_type yandex.cloud.events.storage.*"

    struct Details: YandexDetails, Codable {
        static let eventTypes = YandexEventTypes.under("yandex.cloud.events.storage.")
        var bucket_id: String
        /// The object key, `/` unescaped.
        var object_id: String
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let batch = try input.decode(YandexBatch<Details>.self)
        return batch.messages.enumerated().map { index, message in
            let details = message.details.value
            var envelope = yandexEnvelope(
                message.event_metadata, source: "//storage.yandexcloud.net" + URIReference.path(details.bucket_id), batchIndex: index, input: input)
            envelope.subject = YandexMessages.nonEmpty(details.object_id)
            envelope.datacontenttype = MediaType.json
            envelope.data = .json(message.details.raw)
            envelope.extensions.set("bucket", details.bucket_id)
            return envelope
        }
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexStorage.Details: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            bucket_id: members.decode("bucket_id"),
            object_id: members.decode("object_id")
        )
    }
}
