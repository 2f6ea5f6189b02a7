/// A `Decoder` that reads Codable wire types straight from a ``JSONDocument``.
///
/// It resolves only the members a type asks for, so a wire type that declares the few fields the envelope
/// needs skips the rest of the event. Failures are ``NormalizationError``s carrying the JSON path.
struct DocumentDecoder: Decoder {
    /// Not retained: decoders and containers live only inside ``JSONDocument/decode(_:at:)``, which
    /// keeps the document alive, and copying a retained reference into every nested container and
    /// value costs two atomic operations each (most of the decoding time on a small event).
    unowned(unsafe) let document: JSONDocument
    let node: Int

    init(document: JSONDocument, node: Int) {
        self.document = document
        self.node = node
    }

    var codingPath: [any CodingKey] { document.codingPath(of: node) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var path: String { document.path(of: node) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try expect(.object, "an object")
        return KeyedDecodingContainer(KeyedContainer<Key>(document: document, object: node))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try expect(.array, "an array")
        return UnkeyedContainer(document: document, array: node)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(document: document, node: node)
    }

    private func expect(_ kind: JSONNode.Kind, _ expected: String) throws(NormalizationError) {
        guard document[node].kind == kind else {
            throw .typeMismatch(path: path, expected: expected, found: document.describe(node))
        }
    }
}

extension JSONDocument {
    /// Parses `bytes` and decodes them as `T` through the document's `Decoder`: cheaper than Foundation's
    /// `JSONDecoder` (the delivery store reads every claimed row so), with errors that carry the JSON path.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(NormalizationError) -> T {
        try JSONDocument(bytes: bytes).decode(type)
    }

    /// Decodes the value at `index` (the root by default) as `T`.
    package func decode<T: Decodable>(_ type: T.Type, at index: Int = 0) throws(NormalizationError) -> T {
        do {
            return try withExtendedLifetime(self) { try read(T.self, at: index) }
        } catch let error as NormalizationError {
            throw error
        } catch {
            throw NormalizationError(.invalidValue, "\(error)", path: path(of: index))
        }
    }

    /// Decodes the node at `index`, with fast paths for the common leaf types.
    ///
    /// The leaf types are built here directly: going through `init(from:)` would box the decoder in an
    /// existential and cast it back, and `as! T` would call the runtime's dynamic cast. The checks
    /// compare type metadata, and the bit casts are between identical types.
    func read<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        if T.self == String.self { return unsafeBitCast(try readString(at: index), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try readInteger(Int.self, at: index), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try readBool(at: index), to: T.self) }
        if T.self == RawJSON.self { return unsafeBitCast(RawJSON(self, index), to: T.self) }
        if T.self == Timestamp.self { return unsafeBitCast(try Timestamp(document: self, node: index), to: T.self) }
        if T.self == JSONValue.self { return unsafeBitCast(JSONValue(self, index), to: T.self) }
        return try T(from: DocumentDecoder(document: self, node: index))
    }

    func readString(at index: Int) throws(NormalizationError) -> String {
        guard nodes[index].kind == .string else {
            throw .typeMismatch(path: path(of: index), expected: "a string", found: describe(index))
        }
        return string(at: index)
    }

    func readBool(at index: Int) throws(NormalizationError) -> Bool {
        switch nodes[index].kind {
        case .true: return true
        case .false: return false
        default: throw .typeMismatch(path: path(of: index), expected: "a boolean", found: describe(index))
        }
    }

    func readInteger<T: FixedWidthInteger>(_ type: T.Type, at index: Int) throws(NormalizationError) -> T {
        guard nodes[index].kind == .number else {
            throw .typeMismatch(path: path(of: index), expected: "an integer", found: describe(index))
        }
        guard let wide = int64(at: index), let value = T(exactly: wide) else {
            throw .invalid(path: path(of: index), expected: "an integer that fits \(T.self)", found: describe(index))
        }
        return value
    }

    func readDouble(at index: Int) throws(NormalizationError) -> Double {
        guard let value = double(at: index) else {
            throw .typeMismatch(path: path(of: index), expected: "a number", found: describe(index))
        }
        return value
    }

    /// The coding path of the node at `target`, for `Decoder.codingPath`.
    func codingPath(of target: Int) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var index = root
        while index != target {
            let node = nodes[index]
            guard target < Int(node.next), node.kind == .array || node.kind == .object else { break }
            if node.kind == .object {
                guard let member = members(of: index).first(where: { target >= $0.value && target < Int(nodes[$0.value].next) }) else { break }
                keys.append(AnyKey(stringValue: string(at: member.key)))
                index = member.value
            } else {
                guard let position = elements(of: index).firstIndex(where: { target >= $0 && target < Int(nodes[$0].next) }) else { break }
                keys.append(AnyKey(intValue: position))
                index = elements(of: index)[position]
            }
        }
        return keys
    }
}

/// A coding key for any member name or array position.
struct AnyKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }
    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    unowned(unsafe) let document: JSONDocument
    let object: Int

    /// Runs `body` on the document lent without a retain. Reading it straight from the unowned(unsafe)
    /// reference retained and released it around every call (two atomic pairs per member decoded); the
    /// document outlives the container (see ``DocumentDecoder/document``).
    @inline(__always)
    private func withDocument<Result>(_ body: (JSONDocument) throws -> Result) rethrows -> Result {
        try Unmanaged.passUnretained(document)._withUnsafeGuaranteedRef(body)
    }

    var codingPath: [any CodingKey] { document.codingPath(of: object) }
    var allKeys: [Key] { document.members(of: object).compactMap { Key(stringValue: document.string(at: $0.key)) } }

    func contains(_ key: Key) -> Bool { document.member(key.stringValue, of: object) != nil }

    private func value(_ key: Key) throws(NormalizationError) -> Int {
        let name = key.stringValue
        guard let index = withDocument({ $0.member(name, of: object) }) else {
            throw .missing(name, in: document.path(of: object))
        }
        return index
    }

    /// The member's node, or nil when it is absent or null.
    private func present(_ key: Key) -> Int? {
        let name = key.stringValue
        return withDocument { document in
            guard let index = document.member(name, of: object), document[index].kind != .null else { return nil }
            return index
        }
    }

    func decodeNil(forKey key: Key) throws -> Bool { document[try value(key)].kind == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try withDocument { try $0.readBool(at: try value(key)) } }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try withDocument { try $0.readString(at: try value(key)) } }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try withDocument { try $0.readDouble(at: try value(key)) } }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try withDocument { try $0.readDouble(at: try value(key)) }) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try withDocument { try $0.readInteger(type, at: try value(key)) } }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try withDocument { try $0.readInteger(type, at: try value(key)) } }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try withDocument { try $0.readInteger(type, at: try value(key)) } }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try withDocument { try $0.readInteger(type, at: try value(key)) } }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try withDocument { try $0.readInteger(type, at: try value(key)) } }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try withDocument { try $0.readInteger(type, at: try value(key)) } }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try withDocument { try $0.readInteger(type, at: try value(key)) } }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try withDocument { try $0.readInteger(type, at: try value(key)) } }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try withDocument { try $0.readInteger(type, at: try value(key)) } }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try withDocument { try $0.readInteger(type, at: try value(key)) } }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try withDocument { try $0.read(type, at: try value(key)) } }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let index = present(key) else { return nil }
        return try withDocument { try $0.readString(at: index) }
    }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let index = present(key) else { return nil }
        return try withDocument { try $0.readBool(at: index) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let index = present(key) else { return nil }
        return try withDocument { try $0.readInteger(type, at: index) }
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let index = present(key) else { return nil }
        return try withDocument { try $0.readInteger(type, at: index) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let index = present(key) else { return nil }
        return try withDocument { try $0.readDouble(at: index) }
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = present(key) else { return nil }
        return try withDocument { try $0.read(type, at: index) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try DocumentDecoder(document: document, node: try value(key)).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try DocumentDecoder(document: document, node: try value(key)).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { DocumentDecoder(document: document, node: object) }
    func superDecoder(forKey key: Key) throws -> any Decoder { DocumentDecoder(document: document, node: try value(key)) }
}

/// Node positions are 32-bit (as in ``JSONNode``) so that the container fits the three words of an
/// existential's inline buffer: a larger one is boxed on the heap, once for every array decoded.
private struct UnkeyedContainer: UnkeyedDecodingContainer {
    unowned(unsafe) let document: JSONDocument
    private let node: UInt32
    private var cursor: UInt32
    private var position: UInt32 = 0

    init(document: JSONDocument, array: Int) {
        self.document = document
        self.node = UInt32(array)
        self.cursor = UInt32(array + 1)
    }

    var array: Int { Int(node) }
    var currentIndex: Int { Int(position) }
    var codingPath: [any CodingKey] { document.codingPath(of: array) }
    var count: Int? { Int(document[array].count) }
    var isAtEnd: Bool { cursor >= document[array].next }

    private mutating func advance() throws(NormalizationError) -> Int {
        guard !isAtEnd else {
            throw NormalizationError(.missingField, "the array has no element \(currentIndex)", path: JSONPath.element(currentIndex, of: document.path(of: array)))
        }
        let index = Int(cursor)
        cursor = document[index].next
        position += 1
        return index
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, document[Int(cursor)].kind == .null else { return false }
        _ = try advance()
        return true
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try document.readBool(at: try advance()) }
    mutating func decode(_ type: String.Type) throws -> String { try document.readString(at: try advance()) }
    mutating func decode(_ type: Double.Type) throws -> Double { try document.readDouble(at: try advance()) }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try document.readDouble(at: try advance())) }
    mutating func decode(_ type: Int.Type) throws -> Int { try document.readInteger(type, at: try advance()) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try document.readInteger(type, at: try advance()) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try document.readInteger(type, at: try advance()) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try document.readInteger(type, at: try advance()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try document.readInteger(type, at: try advance()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try document.readInteger(type, at: try advance()) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try document.readInteger(type, at: try advance()) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try document.readInteger(type, at: try advance()) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try document.readInteger(type, at: try advance()) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try document.readInteger(type, at: try advance()) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.read(type, at: try advance()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try DocumentDecoder(document: document, node: try advance()).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try DocumentDecoder(document: document, node: try advance()).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder { DocumentDecoder(document: document, node: try advance()) }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    unowned(unsafe) let document: JSONDocument
    let node: Int

    var codingPath: [any CodingKey] { document.codingPath(of: node) }

    func decodeNil() -> Bool { document[node].kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try document.readBool(at: node) }
    func decode(_ type: String.Type) throws -> String { try document.readString(at: node) }
    func decode(_ type: Double.Type) throws -> Double { try document.readDouble(at: node) }
    func decode(_ type: Float.Type) throws -> Float { Float(try document.readDouble(at: node)) }
    func decode(_ type: Int.Type) throws -> Int { try document.readInteger(type, at: node) }
    func decode(_ type: Int8.Type) throws -> Int8 { try document.readInteger(type, at: node) }
    func decode(_ type: Int16.Type) throws -> Int16 { try document.readInteger(type, at: node) }
    func decode(_ type: Int32.Type) throws -> Int32 { try document.readInteger(type, at: node) }
    func decode(_ type: Int64.Type) throws -> Int64 { try document.readInteger(type, at: node) }
    func decode(_ type: UInt.Type) throws -> UInt { try document.readInteger(type, at: node) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try document.readInteger(type, at: node) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try document.readInteger(type, at: node) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try document.readInteger(type, at: node) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try document.readInteger(type, at: node) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.read(type, at: node) }
}
