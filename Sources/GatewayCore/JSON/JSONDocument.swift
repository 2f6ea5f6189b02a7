/// A validated JSON text and a flat, pre-order index of its values.
///
/// Parsing makes one pass over the bytes and records where each value starts and ends; strings are
/// not unescaped and numbers are not converted until a decoder asks for them. A value can be handed
/// on as a slice of the original bytes (``RawJSON``) without being rebuilt.
///
/// The text and the index live in buffers the document owns, not in arrays: every read of an array
/// held by a class retains and releases it, and decoding reads them thousands of times per request.
public final class JSONDocument: @unchecked Sendable {
    /// The JSON text, exactly as received.
    public let bytes: [UInt8]
    /// A copy of the text, read without reference counting. Immutable, like the rest of the document.
    let text: UnsafeMutableBufferPointer<UInt8>
    let nodes: UnsafeMutableBufferPointer<JSONNode>

    /// Parses and validates `bytes` as one JSON text (RFC 8259).
    ///
    /// - Throws: ``NormalizationError`` with code `malformedJSON` (or `emptyBody`), the line and column,
    ///   and the path of the value being read when the text broke off.
    public init(bytes: [UInt8]) throws(NormalizationError) {
        self.nodes = try JSONParser.parse(bytes)
        self.bytes = bytes
        self.text = .allocate(capacity: bytes.count)
        _ = text.initialize(from: bytes)
    }

    deinit {
        text.deallocate()
        nodes.deallocate()
    }

    /// The index of the top-level value.
    var root: Int { 0 }

    subscript(index: Int) -> JSONNode { nodes[index] }

    /// The bytes of the value at `index`, exactly as they appear in the text; valid while the document lives.
    func slice(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let node = nodes[index]
        return UnsafeBufferPointer(rebasing: text[Int(node.start)..<Int(node.end)])
    }
}

/// One value in a ``JSONDocument``.
struct JSONNode: Sendable {
    enum Kind: UInt8, Sendable {
        case null, `true`, `false`, number, string, array, object
    }

    var kind: Kind
    /// Strings: the text holds a backslash escape. Numbers: the text has a fraction or an exponent.
    var flag: Bool
    /// Byte offset of the value's first byte (the quote, for strings).
    var start: UInt32
    /// Byte offset one past the value's last byte.
    var end: UInt32
    /// Index of the first node after this value and everything inside it.
    var next: UInt32
    /// Containers: number of elements, or of members for objects.
    var count: UInt32
}

extension JSONNode.Kind {
    /// How the kind reads in an error message ("found an object").
    var description: String {
        switch self {
        case .null: "null"
        case .true, .false: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
