/// Yandex Cloud Functions mail trigger: `{"messages": [{"received_at", "headers": [{"name", "values"}], "message"}]}`.
///
/// No `event_metadata`: each message is an email received at the trigger's address (attachments go to a
/// bucket, not here). One envelope per message: id the Message-Id header, source `mailto:` the recipient,
/// subject the Subject header, data the body under its Content-Type, the headers in `mailheaders`.
public struct YandexMail: Dialect {
    public init() {}

    public let name = "yandex.mail"
    public let summary = "Yandex Cloud Functions mail trigger: messages[] of received emails"
    public let signature: String? = "messages[] whose first element has received_at, headers and message"
    public let detectionAnchor: String? = "messages"

    static let eventType = "yandex.cloud.events.mail.Message"

    struct Event: Codable {
        var messages: [Message]
    }

    struct Message: Codable {
        /// Go's `time.Time.String()` with the monotonic clock suffix: `... +0000 UTC m=+260285.403254765`.
        var received_at: Timestamp
        var headers: Verbatim<[Header]>
        /// The body as text (HTML, plain text or a MIME multipart body).
        var message: String
    }

    struct Header: Codable {
        var name: String
        var values: [String]
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        YandexMessages.firstMessageHas(probe, "received_at", "headers", "message")
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "messages")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        var envelopes: [Envelope] = []
        envelopes.reserveCapacity(event.messages.count)
        for (index, message) in event.messages.enumerated() {
            let headers = message.headers.value
            func header(_ name: String) -> String? {
                YandexMessages.nonEmpty(headers.first { $0.name.caseInsensitiveEquals(name) }?.values.first)
            }
            let contentType = header("Content-Type").flatMap { MediaType.isValid($0) ? $0 : nil } ?? MediaType.plainText
            let data: EventData?
            do {
                data = try EventData.fromBody(Array(message.message.utf8), contentType: contentType)
            } catch {
                // The parser's position is inside the message text, not the request body: say so in words.
                var error = error
                let position = error.location.map { " (line \($0.line), column \($0.column) of the message)" } ?? ""
                error.path = JSONPath.member("message", of: YandexMessages.path(index))
                error.location = nil
                error.message = "the message is not JSON although its Content-Type is \(contentType)\(position): \(error.message)"
                throw error
            }
            var extensions = input.provenance(batchIndex: index)
            extensions.set("mailfrom", header("From"))
            if !headers.isEmpty { extensions.set("mailheaders", json: message.headers.raw) }
            envelopes.append(
                Envelope(
                    id: header("Message-Id")
                        ?? derivedID([.text(message.received_at.rfc3339), .text(message.message)], input: input),
                    source: Self.address(header("To")).map { "mailto:" + URIReference.encodeSegment($0) } ?? URIReference.path("yandex", "mail"),
                    type: Self.eventType,
                    subject: header("Subject"),
                    time: message.received_at,
                    datacontenttype: data == nil ? nil : contentType,
                    data: data,
                    extensions: extensions
                ))
        }
        return envelopes
    }

    /// The address of a To value: the text inside `<...>` when present (`Name <a@b>`), else the value.
    static func address(_ value: String?) -> String? {
        guard let value else { return nil }
        if let open = value.firstIndex(of: "<"), let close = value[open...].firstIndex(of: ">") {
            return YandexMessages.nonEmpty(value[value.index(after: open)..<close].trimmingSpaces())
        }
        return YandexMessages.nonEmpty(value.trimmingSpaces())
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexMail.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(messages: members.decode("messages"))
    }
}

extension YandexMail.Message: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            received_at: members.decode("received_at"),
            headers: members.decode("headers"),
            message: members.decode("message")
        )
    }
}

extension YandexMail.Header: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            name: members.decode("name"),
            values: members.decode("values")
        )
    }
}
