extension Timestamp: Codable {
    /// Decodes a source's time leniently: a string in any format ``init(parsing:)`` knows, an integer count
    /// since the epoch, or a protobuf `{"seconds": ..., "nanos": ...}` object (Yandex Cloud Logging).
    ///
    /// - Throws: ``NormalizationError`` with code `invalid_time` and the JSON path.
    public init(from decoder: any Decoder) throws {
        guard let decoder = decoder as? DocumentDecoder else {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let value = Timestamp(parsing: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unparseable time \(text)"))
            }
            self = value
            return
        }
        self = try Timestamp(document: decoder.document, node: decoder.node)
    }

    /// Decodes the time at `node` (see ``init(from:)``).
    package init(document: JSONDocument, node: Int) throws(NormalizationError) {
        let parsed: Timestamp?
        switch document[node].kind {
        case .string: parsed = document.withStringBytes(at: node, Timestamp.parse)
        case .number:
            // Integers (the usual epoch counts) are read in place; fractions and exponents take the text path.
            parsed = document.int64(at: node).flatMap(Timestamp.init(epoch:)) ?? Timestamp(epochText: String(document.numberText(at: node)))
        case .object: parsed = try? Timestamp(protobuf: document.decode(ProtobufTime.self, at: node))
        default: parsed = nil
        }
        guard let parsed else { throw Self.invalid(document.path(of: node), found: document.describe(node)) }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        try single.encode(rfc3339)
    }

    /// A count since the epoch written as a JSON number; a fraction is allowed only on seconds.
    init?(epochText text: String) {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let whole = Int64(parts[0]) else { return nil }
        guard parts.count == 2 else {
            self.init(epoch: whole)
            return
        }
        // Fractions only make sense on non-negative second counts.
        guard !text.hasPrefix("-"), whole < 100_000_000_000, parts[1].allSatisfy(\.isASCIIDigit) else { return nil }
        let digits = String(parts[1].prefix(9)).padding(toLength: 9, withPad: "0")
        guard let nanoseconds = Int32(digits) else { return nil }
        self.init(seconds: whole, nanoseconds: nanoseconds)
    }

    private init?(protobuf time: ProtobufTime) {
        self.init(seconds: time.seconds, nanoseconds: time.nanos ?? 0)
    }

    static func invalid(_ path: String, found: String) -> NormalizationError {
        NormalizationError(
            .invalidTime,
            "unparseable time \(found); expected RFC 3339, an epoch count, or one of the source formats in the README",
            path: path,
            expected: "a time",
            found: found
        )
    }
}

/// `google.protobuf.Timestamp` in JSON object form.
private struct ProtobufTime: Decodable, DocumentObjectDecodable {
    var seconds: Int64
    var nanos: Int32?

    init(members: JSONObjectReader) throws(NormalizationError) {
        seconds = try members.decode("seconds")
        nanos = try members.decodeIfPresent("nanos")
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    func padding(toLength length: Int, withPad pad: Character) -> String {
        count >= length ? String(prefix(length)) : self + String(repeating: pad, count: length - count)
    }
}
