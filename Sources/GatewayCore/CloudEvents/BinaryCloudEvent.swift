/// CloudEvents binary mode: attributes in `ce-*` headers, `Content-Type` as `datacontenttype`, the body
/// as `data`.
///
/// Header values are percent-decoded once (after unquoting an RFC 7230 quoted-string), and must then be
/// UTF-8. A JSON content type requires a JSON body; text types give text; anything else stays bytes.
public struct BinaryCloudEvent: Dialect {
    public init() {}

    public let name = "cloudevents.binary"
    public let summary = "CloudEvents 1.0 binary mode: ce-* headers carry the attributes, the body is the data"
    public let signature: String? = "headers ce-specversion, ce-id, ce-source and ce-type"
    public let hasRequestRule = true
    public var body: BodyRequirement { .bytes }

    static let required = ["specversion", "id", "source", "type"]
    /// The header names of ``required``, made once: detection asks every request.
    static let requiredHeaders = required.map { "ce-" + $0 }

    public func matchesRequest(_ event: IncomingEvent) -> Bool {
        Self.requiredHeaders.allSatisfy { event.headers[$0] != nil }
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        var attributes: [String: String] = .init(minimumCapacity: input.event.headers.fields.count)
        for field in input.event.headers where field.name.hasCaseInsensitivePrefix("ce-") {
            let name = String(field.name.dropFirst(3)).lowercased()
            var where_: String { "header \(field.name)" }
            guard Envelope.isValidAttributeName(name) else {
                throw NormalizationError(.invalidCloudEvent, "attribute name \(NormalizationError.quote(name)) in \(where_) is invalid: use letters a-z and digits only", path: where_, expected: "a name of [a-z0-9]", found: NormalizationError.quote(name))
            }
            guard name != "datacontenttype" else {
                throw NormalizationError(.invalidCloudEvent, "binary mode carries datacontenttype in Content-Type; a ce-datacontenttype header is not allowed", path: where_, expected: "no such header", found: NormalizationError.quote(field.value))
            }
            guard let value = Self.decodeHeaderValue(field.value) else {
                throw NormalizationError(.invalidCloudEvent, "\(where_) is not valid percent-encoded UTF-8", path: where_, expected: "percent-encoded UTF-8", found: NormalizationError.quote(field.value))
            }
            attributes[name] = value
        }
        for name in Self.required where (attributes[name] ?? "").isEmpty {
            throw NormalizationError(.invalidCloudEvent, "the required header ce-\(name) is missing or empty", path: "header ce-\(name)", expected: "a non-empty value", found: attributes[name] == nil ? "nothing" : "\"\"")
        }
        guard attributes["specversion"] == Envelope.specVersion else {
            throw NormalizationError(.invalidCloudEvent, "only CloudEvents specversion \"1.0\" is supported", path: "header ce-specversion", expected: "\"1.0\"", found: NormalizationError.quote(attributes["specversion"]!))
        }
        var envelope = Envelope(id: attributes["id"]!, source: attributes["source"]!, type: attributes["type"]!)
        for name in ["subject", "dataschema"] {
            guard let value = attributes[name] else { continue }
            guard !value.isEmpty else {
                throw NormalizationError(.invalidCloudEvent, "ce-\(name) must not be empty; leave the header out instead", path: "header ce-\(name)", expected: "a non-empty value", found: "\"\"")
            }
        }
        envelope.subject = attributes["subject"]
        envelope.dataschema = attributes["dataschema"]
        if let time = attributes["time"] {
            guard let parsed = Timestamp(rfc3339: time) else {
                throw NormalizationError(.invalidCloudEvent, "ce-time must be an RFC 3339 timestamp", path: "header ce-time", expected: "an RFC 3339 timestamp", found: NormalizationError.quote(time))
            }
            envelope.time = parsed
        }
        if let contentType = input.event.contentType {
            guard MediaType.isValid(contentType) else {
                throw NormalizationError(.invalidCloudEvent, "Content-Type must be an RFC 2046 media type", path: "header Content-Type", expected: "type/subtype", found: NormalizationError.quote(contentType))
            }
            envelope.datacontenttype = contentType
        }
        for (name, value) in attributes where !Envelope.reservedNames.contains(name) {
            envelope.extensions[name] = .string(value)
        }
        envelope.data = try EventData.fromBody(input.event.body, contentType: envelope.datacontenttype)
        return [envelope]
    }

    /// Unquotes an RFC 7230 quoted-string, then percent-decodes once; nil when the result is not UTF-8.
    static func decodeHeaderValue(_ raw: String) -> String? {
        var value = raw
        if value.utf8.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            var unquoted = ""
            var escaping = false
            for character in value.dropFirst().dropLast() {
                if escaping || character != "\\" {
                    unquoted.append(character)
                    escaping = false
                } else {
                    escaping = true
                }
            }
            value = unquoted
        }
        return URIReference.percentDecode(value)
    }
}
