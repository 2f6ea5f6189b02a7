/// Yandex Data Streams trigger: `{"messages": [record...]}`, the producers' JSON records as they are.
///
/// The records are arbitrary JSON, so the shape cannot be told from any other `messages` batch: this
/// dialect is used only when the caller names it. The stream comes from the `X-Stream-Name` request
/// header. One envelope per record: a derived id, data the record.
public struct YandexDataStreams: Dialect {
    public init() {}

    public let name = "yandex.datastreams"
    public let summary = "Yandex Data Streams trigger: messages[] of arbitrary JSON records (name the dialect; X-Stream-Name header)"
    public let signature: String? = nil

    static let eventType = "yandex.cloud.events.datastreams.Record"
    static let null = Array("null".utf8)

    struct Event: Codable {
        var messages: [RawJSON]
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "messages")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        let stream = YandexMessages.nonEmpty(input.event.headers["x-stream-name"])
        let source = URIReference.path(["yandex", "datastreams"] + (stream.map { [$0] } ?? []))
        return event.messages.enumerated().map { index, record in
            var extensions = input.provenance(batchIndex: index)
            extensions.set("streamname", stream)
            // A null record is no payload: `"data": null` would read back as no data at all.
            let data: EventData? = record.bytes == Self.null ? nil : .json(record)
            return Envelope(
                // Records have neither id nor time: the receipt time keeps separate deliveries apart.
                id: derivedID([.text(stream ?? ""), .number(index), .bytes(record.bytes[...])], timeless: true, input: input),
                source: source,
                type: Self.eventType,
                time: input.event.receivedAt,
                datacontenttype: data == nil ? nil : MediaType.json,
                data: data,
                extensions: extensions
            )
        }
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexDataStreams.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(messages: members.decode("messages"))
    }
}
