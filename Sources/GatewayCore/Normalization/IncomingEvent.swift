/// What arrived: a body and the HTTP context that can tell its dialect.
public struct IncomingEvent: Sendable {
    /// The request body, as received.
    public var body: [UInt8]
    /// The request headers (`Content-Type`, `ce-*`...).
    public var headers: EventHeaders
    /// The request path (`/api/v1/namespaces/_/triggers/t1` for OpenWhisk fires).
    public var path: String?
    /// A dialect the caller names; detection is skipped when set.
    public var dialect: String?
    /// When the gateway received the event. Stamped as `time` where the source has none, and mixed into
    /// derived ids of sources that have neither an id nor a time (see the README).
    public var receivedAt: Timestamp?

    public init(body: [UInt8], headers: EventHeaders = [], path: String? = nil, dialect: String? = nil, receivedAt: Timestamp? = nil) {
        self.body = body
        self.headers = headers
        self.path = path
        self.dialect = dialect
        self.receivedAt = receivedAt
    }

    /// The `Content-Type` header.
    public var contentType: String? { headers["content-type"] }
}

/// HTTP header fields in arrival order, looked up case-insensitively.
public struct EventHeaders: Sendable, Hashable, Sequence, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    public init(arrayLiteral elements: Field...) {
        self.fields = elements
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// Adds a field, keeping any with the same name.
    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// The first value of the field `name` (any case).
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}

extension String {
    /// ASCII case-insensitive equality, as HTTP header names compare.
    public func caseInsensitiveEquals(_ other: String) -> Bool {
        withUTF8Buffer { lhs in other.withUTF8Buffer { rhs in UnsafeRawBufferPointer(lhs).caseInsensitiveEquals(UnsafeRawBufferPointer(rhs)) } }
    }

    /// Whether the string starts with `prefix`, ignoring ASCII case.
    func hasCaseInsensitivePrefix(_ prefix: String) -> Bool {
        withUTF8Buffer { lhs in
            prefix.withUTF8Buffer { rhs in
                lhs.count >= rhs.count && UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(lhs)[..<rhs.count]).caseInsensitiveEquals(UnsafeRawBufferPointer(rhs))
            }
        }
    }
}

extension UnsafeRawBufferPointer {
    /// ASCII case-insensitive equality of two byte strings, as HTTP header names and tokens compare:
    /// letters match either case, every other byte only itself.
    package func caseInsensitiveEquals(_ other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        for index in 0..<count {
            let (a, b) = (self[index], other[index])
            guard a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z")) else { return false }
        }
        return true
    }

    /// The same against a literal.
    package func caseInsensitiveEquals(_ literal: StaticString) -> Bool {
        caseInsensitiveEquals(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
