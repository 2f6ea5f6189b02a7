import GatewayCore
import GatewayStubs

/// What a binary-mode CloudEvent says, attribute by attribute, as text: how a function reading `ce-*`
/// headers, `Content-Type` and the body sees an envelope.
///
/// The binding carries every extension as a string, so values are compared as written; the data as
/// its bytes.
struct BinaryView: Hashable, Comparable, CustomStringConvertible {
    let lines: [String]

    /// The event an envelope is: JSON data without a content type is `application/json`.
    init(envelope: Envelope) {
        var lines = ["id=\(envelope.id)", "source=\(envelope.source)", "type=\(envelope.type)"]
        if let subject = envelope.subject { lines.append("subject=\(subject)") }
        if let time = envelope.time { lines.append("time=\(time.rfc3339)") }
        if let dataschema = envelope.dataschema { lines.append("dataschema=\(dataschema)") }
        var contentType = envelope.datacontenttype
        if contentType == nil, case .json = envelope.data { contentType = MediaType.json }
        if let contentType { lines.append("content-type=\(contentType)") }
        for (name, value) in envelope.extensions { lines.append("\(name)=\(value.description)") }
        lines.append("data=\(envelope.data?.bytes ?? [])")
        self.lines = lines.sorted()
    }

    /// The event a request carries, read by the gateway's own binary-mode decoder.
    init(received request: RecordedRequest) throws {
        var headers = EventHeaders()
        for field in request.headers { headers.append(name: field.name, value: field.value) }
        let normalization = try Normalizer().normalize(IncomingEvent(body: request.body, headers: headers, dialect: "cloudevents.binary"))
        guard normalization.envelopes.count == 1, let envelope = normalization.envelopes.first else {
            throw StubError("\(request.target) carries \(normalization.envelopes.count) events in binary mode")
        }
        self.init(envelope: envelope)
    }

    static func < (lhs: BinaryView, rhs: BinaryView) -> Bool {
        lhs.lines.lexicographicallyPrecedes(rhs.lines)
    }

    var description: String { lines.joined(separator: ", ") }
}

extension EventData {
    /// The payload's bytes: the JSON text, the UTF-8 of the text, or the bytes.
    var bytes: [UInt8] {
        switch self {
        case .json(let json): json.bytes
        case .text(let text): Array(text.utf8)
        case .binary(let bytes): bytes
        }
    }
}
