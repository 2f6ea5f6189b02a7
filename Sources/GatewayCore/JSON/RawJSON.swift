/// One valid JSON value kept as its text.
///
/// Event payloads travel as `RawJSON`: taking one out of a request is a copy of a byte range, and
/// writing it into an envelope is a copy back. It is parsed again only when something looks inside.
/// Two values are equal when their texts are equal apart from whitespace between tokens, so that
/// re-indenting (pretty-printing an envelope and reading it back) keeps the value.
public struct RawJSON: Sendable, Hashable, Codable {
    /// The JSON text.
    public let bytes: [UInt8]
    /// The parsed document the text came from, and the value's node in it, when known: routing looks
    /// inside `data` through it instead of parsing the text again. Not part of the value's identity.
    private let origin: Origin?

    private struct Origin: Sendable {
        let document: JSONDocument
        let node: Int
    }

    /// Wraps `bytes` after checking that they are exactly one JSON value.
    public init(validating bytes: [UInt8]) throws(NormalizationError) {
        let document = try JSONDocument(bytes: bytes)
        let root = document[document.root]
        // Keep the value itself, without the whitespace around it.
        self.bytes = root.start == 0 && Int(root.end) == bytes.count ? bytes : Array(document.slice(document.root))
        self.origin = Origin(document: document, node: document.root)
    }

    /// Wraps `text` after checking that it is exactly one JSON value.
    public init(validating text: String) throws(NormalizationError) {
        try self.init(validating: Array(text.utf8))
    }

    /// Serializes `value` compactly.
    public init(_ value: JSONValue) {
        var writer = JSONWriter()
        writer.value(value)
        self.bytes = writer.bytes
        self.origin = nil
    }

    /// Bytes known to be valid JSON (a slice of a parsed document, or writer output).
    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
        self.origin = nil
    }

    /// The value at `index` of `document`, copied out; the document is kept for looking inside.
    init(_ document: JSONDocument, _ index: Int) {
        self.bytes = Array(document.slice(index))
        self.origin = Origin(document: document, node: index)
    }

    /// The text parsed into a document (a fresh parse, rooted at the value).
    var document: JSONDocument {
        // The bytes were validated when this value was made.
        try! JSONDocument(bytes: bytes)
    }

    /// A parsed form of the value: the document it came from and its node there, or a fresh parse.
    var parsed: (document: JSONDocument, node: Int) {
        if let origin { return (origin.document, origin.node) }
        let document = document
        return (document, document.root)
    }

    /// The text parsed into a ``JSONValue``.
    public var value: JSONValue {
        let (document, node) = parsed
        return JSONValue(document, node)
    }

    /// The text as a String.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public static func == (lhs: RawJSON, rhs: RawJSON) -> Bool {
        lhs.bytes == rhs.bytes || lhs.significantBytes.elementsEqual(rhs.significantBytes)
    }

    public func hash(into hasher: inout Hasher) {
        for byte in significantBytes { hasher.combine(byte) }
    }

    /// The text without whitespace between tokens (compact JSON, the tokens as written).
    var compactBytes: [UInt8] {
        // Over the buffer rather than through ``SignificantBytes``: attributes of every queue message pass here.
        bytes.withUnsafeBufferPointer { text in
            var out: [UInt8] = []
            out.reserveCapacity(text.count)
            var filter = WhitespaceFilter()
            for byte in text where filter.keeps(byte) { out.append(byte) }
            return out
        }
    }

    /// The text without whitespace between tokens.
    private var significantBytes: SignificantBytes { SignificantBytes(bytes: bytes) }

    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? DocumentDecoder {
            self.init(decoder.document, decoder.node)
        } else {
            self.init(try JSONValue(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}

/// The bytes of a JSON text, skipping whitespace outside strings.
private struct SignificantBytes: Sequence, IteratorProtocol {
    let bytes: [UInt8]
    private var position = 0
    private var filter = WhitespaceFilter()

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func next() -> UInt8? {
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if filter.keeps(byte) { return byte }
        }
        return nil
    }
}

/// Tells, byte by byte through a JSON text, which bytes are not whitespace between tokens.
private struct WhitespaceFilter {
    private var inString = false
    private var escaped = false

    mutating func keeps(_ byte: UInt8) -> Bool {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
            return true
        }
        if byte == UInt8(ascii: "\"") { inString = true }
        return !byte.isJSONWhitespace
    }
}
