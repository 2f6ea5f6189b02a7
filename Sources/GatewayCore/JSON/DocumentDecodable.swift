/// A wire type that reads itself straight from a parsed ``JSONDocument``: the decoding path dialects use.
///
/// Wire types stay `Decodable` (any decoder can read them), but going through `Decoder` costs a heap
/// box and two generic metadata lookups per nested object, and a dynamic dispatch and a metadata lookup
/// per member, because the standard library's containers are not specialized for our decoder. That was
/// a third of normalizing an event. A conforming type reads its members with ``JSONObjectReader``, whose
/// calls the compiler specializes for each member type, and fails with the same errors, paths and
/// messages as ``DocumentDecoder``.
package protocol DocumentDecodable: Decodable {
    /// Reads the value at `node` of `document`.
    ///
    /// - Throws: ``NormalizationError`` with the JSON path of the offending value.
    init(document: JSONDocument, node: Int) throws(NormalizationError)
}

/// A wire type read from a JSON object, member by member.
package protocol DocumentObjectDecodable: DocumentDecodable {
    /// Reads the members of an object.
    init(members: JSONObjectReader) throws(NormalizationError)
}

extension DocumentObjectDecodable {
    package init(document: JSONDocument, node: Int) throws(NormalizationError) {
        try self.init(members: JSONObjectReader(document: document, node: node))
    }
}

/// The members of one object node, read as ``DocumentDecodable`` values.
package struct JSONObjectReader {
    package let document: JSONDocument
    package let node: Int

    /// - Throws: `type_mismatch` when the node is not an object (what a keyed container says).
    package init(document: JSONDocument, node: Int) throws(NormalizationError) {
        guard document[node].kind == .object else {
            throw .typeMismatch(path: document.path(of: node), expected: "an object", found: document.describe(node))
        }
        self.document = document
        self.node = node
    }

    /// The path of the object, for errors a wire type raises itself.
    package var path: String { document.path(of: node) }

    /// The required member `key`.
    ///
    /// - Throws: `missing_field` when it is absent; the member type's error when it does not read.
    package func decode<T: DocumentDecodable>(_ key: String, as type: T.Type = T.self) throws(NormalizationError) -> T {
        try T(document: document, node: try node(of: key))
    }

    /// The node of the required member `key`, for a value read another way.
    ///
    /// - Throws: `missing_field` when it is absent.
    package func node(of key: String) throws(NormalizationError) -> Int {
        guard let index = document.member(key, of: node) else { throw .missing(key, in: path) }
        return index
    }

    /// The path of member `key`, for errors a wire type raises itself.
    package func path(of key: String) -> String { JSONPath.member(key, of: path) }

    /// The member `key`, or nil when it is absent or null.
    package func decodeIfPresent<T: DocumentDecodable>(_ key: String, as type: T.Type = T.self) throws(NormalizationError) -> T? {
        guard let index = document.member(key, of: node), document[index].kind != .null else { return nil }
        return try T(document: document, node: index)
    }
}

extension JSONDocument {
    /// Parses `bytes` and reads them as `T`, without the `Decoder` machinery.
    package static func decode<T: DocumentDecodable>(_ type: T.Type, from bytes: [UInt8]) throws(NormalizationError) -> T {
        try JSONDocument(bytes: bytes).decode(type)
    }

    /// Decodes the value at `index` (the root by default) as `T`, without the `Decoder` machinery.
    package func decode<T: DocumentDecodable>(_ type: T.Type, at index: Int = 0) throws(NormalizationError) -> T {
        try T(document: self, node: index)
    }
}

// The leaf types, read as ``DocumentDecoder`` reads them.

extension String: DocumentDecodable {
    package init(document: JSONDocument, node: Int) throws(NormalizationError) { self = try document.readString(at: node) }
}

extension Bool: DocumentDecodable {
    package init(document: JSONDocument, node: Int) throws(NormalizationError) { self = try document.readBool(at: node) }
}

extension Int: DocumentDecodable {
    package init(document: JSONDocument, node: Int) throws(NormalizationError) { self = try document.readInteger(Int.self, at: node) }
}

extension Int32: DocumentDecodable {
    package init(document: JSONDocument, node: Int) throws(NormalizationError) { self = try document.readInteger(Int32.self, at: node) }
}

extension Int64: DocumentDecodable {
    package init(document: JSONDocument, node: Int) throws(NormalizationError) { self = try document.readInteger(Int64.self, at: node) }
}

extension RawJSON: DocumentDecodable {
    package init(document: JSONDocument, node: Int) { self.init(document, node) }
}

extension JSONValue: DocumentDecodable {
    package init(document: JSONDocument, node: Int) { self.init(document, node) }
}

extension Timestamp: DocumentDecodable {}

extension Array: DocumentDecodable where Element: DocumentDecodable {
    /// - Throws: `type_mismatch` when the node is not an array; an element's error.
    package init(document: JSONDocument, node: Int) throws(NormalizationError) {
        guard document[node].kind == .array else {
            throw .typeMismatch(path: document.path(of: node), expected: "an array", found: document.describe(node))
        }
        self.init()
        reserveCapacity(Int(document[node].count))
        var child = node + 1
        let end = Int(document[node].next)
        while child < end {
            append(try Element(document: document, node: child))
            child = Int(document[child].next)
        }
    }
}

extension Dictionary: DocumentDecodable where Key == String, Value: DocumentDecodable {
    /// The first occurrence of a repeated name wins, as a keyed container looks members up.
    package init(document: JSONDocument, node: Int) throws(NormalizationError) {
        let object = try JSONObjectReader(document: document, node: node)
        self.init(minimumCapacity: Int(document[node].count))
        for member in document.members(of: object.node) {
            let name = document.string(at: member.key)
            if self[name] == nil { self[name] = try Value(document: document, node: member.value) }
        }
    }
}

extension Verbatim: DocumentDecodable where Value: DocumentDecodable {
    init(document: JSONDocument, node: Int) throws(NormalizationError) {
        self.init(value: try Value(document: document, node: node), raw: RawJSON(document, node))
    }
}
