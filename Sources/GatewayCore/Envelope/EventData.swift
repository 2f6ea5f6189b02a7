/// An envelope's payload: a JSON value, text, or bytes.
///
/// In the CloudEvents JSON format `.json` is written as `data` itself, `.text` as a `data` string and
/// `.binary` as `data_base64`. `.text` always comes with a non-JSON ``Envelope/datacontenttype``, so that
/// reading the JSON back gives the same case.
public enum EventData: Sendable, Hashable {
    case json(RawJSON)
    case text(String)
    case binary([UInt8])
}

extension EventData {
    /// A payload that arrived as a string: JSON when it holds a JSON object or array, otherwise text.
    ///
    /// Sources nest JSON in strings (SMN messages, timer user events, queue bodies); parsing them makes
    /// `data` routable. Scalars stay text: a message `"42"` is not the number 42.
    public static func fromMessage(_ text: String) -> (data: EventData, contentType: String) {
        // Only text that opens like an object or array is worth parsing.
        let first = text.utf8.first { !$0.isJSONWhitespace }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "["), let json = try? RawJSON(validating: Array(text.utf8)) {
            return (.json(json), MediaType.json)
        }
        return (.text(text), MediaType.plainText)
    }

    /// A payload that arrived as bytes (decoded base64): JSON object or array, UTF-8 text, or binary
    /// with no content type (CloudEvents: an unknown type must be left out).
    public static func fromBytes(_ bytes: [UInt8]) -> (data: EventData, contentType: String?) {
        if let json = structuredJSON(bytes) { return (.json(json), MediaType.json) }
        if let text = printableText(bytes) { return (.text(text), MediaType.plainText) }
        return (.binary(bytes), nil)
    }

    /// A payload with a known media type: JSON types must hold JSON, text types become text when the
    /// bytes are UTF-8, anything else stays binary.
    ///
    /// - Throws: `malformed_json` when a JSON media type carries something else.
    public static func fromBody(_ bytes: [UInt8], contentType: String?) throws(NormalizationError) -> EventData? {
        guard !bytes.isEmpty else { return nil }
        guard let contentType else { return .binary(bytes) }
        if MediaType.isJSON(contentType) { return .json(try RawJSON(validating: bytes)) }
        if MediaType.isText(contentType), let text = String(validating: bytes, as: UTF8.self) { return .text(text) }
        return .binary(bytes)
    }

    /// `bytes` as JSON when they are an object or array (after optional whitespace).
    static func structuredJSON(_ bytes: [UInt8]) -> RawJSON? {
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else { return nil }
        return try? RawJSON(validating: bytes)
    }

    /// `bytes` as text when they are UTF-8 without control characters other than tab, CR and LF.
    static func printableText(_ bytes: [UInt8]) -> String? {
        guard !bytes.contains(where: { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D) || $0 == 0x7F }) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// Media type checks (RFC 2046), case-insensitive and ignoring parameters; they read the UTF-8 bytes
/// and allocate nothing, as they run on every request.
public enum MediaType {
    public static let json = "application/json"
    public static let plainText = "text/plain"
    public static let cloudEventsJSON = "application/cloudevents+json"
    public static let cloudEventsBatchJSON = "application/cloudevents-batch+json"

    /// `type/subtype`, lower-cased, without parameters.
    public static func essence(_ contentType: String) -> String {
        withEssence(contentType) { String(decoding: $0.map(lowercased), as: UTF8.self) }
    }

    /// Whether the essence starts with `prefix` (given in lower case).
    public static func essence(of contentType: String, hasPrefix prefix: String) -> Bool {
        withEssence(contentType) { essence in
            essence.count >= prefix.utf8.count && zip(essence, prefix.utf8).allSatisfy { lowercased($0) == $1 }
        }
    }

    /// Whether the essence is `name` (given in lower case).
    public static func essence(of contentType: String, is name: String) -> Bool {
        withEssence(contentType) { essence in
            essence.count == name.utf8.count && zip(essence, name.utf8).allSatisfy { lowercased($0) == $1 }
        }
    }

    /// `application/json`, `*/json` or `*/*+json`.
    public static func isJSON(_ contentType: String) -> Bool {
        withEssence(contentType) { essence in
            guard let slash = essence.firstIndex(of: UInt8(ascii: "/")) else { return false }
            let subtype = essence[(slash + 1)...]
            return hasSuffix(subtype, "json") && (subtype.count == 4 || subtype[subtype.endIndex - 5] == UInt8(ascii: "+"))
        }
    }

    /// `text/*` and the textual application types (XML, JavaScript, form data, YAML).
    public static func isText(_ contentType: String) -> Bool {
        if essence(of: contentType, hasPrefix: "text/") { return true }
        return ["application/xml", "application/javascript", "application/x-www-form-urlencoded", "application/yaml", "application/x-yaml"]
            .contains { essence(of: contentType, is: $0) } || withEssence(contentType) { hasSuffix($0[...], "+xml") }
    }

    /// Whether `contentType` has RFC 2046's `type/subtype` form, parameters allowed.
    public static func isValid(_ contentType: String) -> Bool {
        withEssence(contentType) { essence in
            guard let slash = essence.firstIndex(of: UInt8(ascii: "/")) else { return false }
            let type = essence[..<slash]
            let subtype = essence[(slash + 1)...]
            return !type.isEmpty && !subtype.isEmpty && type.allSatisfy(HTTPSyntax.isTokenByte) && subtype.allSatisfy(HTTPSyntax.isTokenByte)
        }
    }

    /// Calls `body` with the bytes before any `;`, without surrounding spaces or tabs (read in place:
    /// every request asks this of its content type several times).
    private static func withEssence<Result>(_ contentType: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        contentType.withUTF8Buffer { bytes in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var start = 0
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            return body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
    }

    private static func hasSuffix(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ suffix: String) -> Bool {
        bytes.count >= suffix.utf8.count && zip(bytes.suffix(suffix.utf8.count), suffix.utf8).allSatisfy { lowercased($0) == $1 }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
