/// The one-pass validating scanner behind ``JSONDocument``.
///
/// Iterative, so a deeply nested body cannot overflow the stack; nesting beyond ``maximumDepth`` is an error.
struct JSONParser {
    static let maximumDepth = 512

    /// The text; valid only inside ``parse(_:)``, which lends it.
    private let bytes: UnsafeBufferPointer<UInt8>
    private var nodes: NodeBuffer
    /// The innermost open container, or -1. While a container is open its node's `next` holds the
    /// enclosing open container (or `none`) and its `end` the member name being read (or `none`), so
    /// the open containers form a stack inside the node array and parsing needs no other storage.
    private var top = -1
    private var depth = 0
    private static let none = UInt32.max

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        // One node per 8 bytes covers nearly every body seen (compact JSON with short values is the
        // densest), so the buffer rarely grows and copies itself while parsing.
        self.nodes = NodeBuffer(capacity: bytes.count / 8 + 8)
    }

    /// Parses `bytes`, scanning them through an unsafe pointer (this loop is the hottest in the gateway).
    ///
    /// - Returns: the nodes, which the caller owns and must deallocate.
    static func parse(_ bytes: [UInt8]) throws(NormalizationError) -> UnsafeMutableBufferPointer<JSONNode> {
        let result: Result<UnsafeMutableBufferPointer<JSONNode>, NormalizationError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            do throws(NormalizationError) {
                try parser.parse()
                return .success(parser.nodes.take())
            } catch {
                parser.nodes.deallocate()
                return .failure(error)
            }
        }
        return try result.get()
    }

    private mutating func parse() throws(NormalizationError) {
        let count = bytes.count
        var position = skipWhitespace(0)
        guard position < count else {
            throw NormalizationError(.emptyBody, "the body is empty; a JSON value was expected", path: JSONPath.root, expected: "a JSON value", found: "nothing")
        }
        while true {
            var opened = true
            while opened { (position, opened) = try value(at: position) }
            // After a value: close containers or move on to the next member or element.
            while true {
                position = skipWhitespace(position)
                guard top >= 0 else {
                    guard position == count else { throw syntax("unexpected text after the JSON value", at: position) }
                    return
                }
                guard position < count else { throw syntax("the text ends inside \(nodes[top].kind == .object ? "an object" : "an array")", at: position) }
                let byte = bytes[position]
                if nodes[top].kind == .object {
                    if byte == UInt8(ascii: ",") {
                        // Until the next name is read, errors belong to the object, not the last member.
                        nodes[top].end = Self.none
                        position = try key(at: skipWhitespace(position + 1))
                        break
                    }
                    guard byte == UInt8(ascii: "}") else { throw syntax("expected ',' or '}' after an object member", at: position) }
                } else {
                    if byte == UInt8(ascii: ",") {
                        nodes[top].count += 1
                        position = skipWhitespace(position + 1)
                        break
                    }
                    guard byte == UInt8(ascii: "]") else { throw syntax("expected ',' or ']' after an array element", at: position) }
                }
                close(top, at: position + 1)
                position += 1
            }
        }
    }

    /// Reads one value starting at `position` (whitespace already skipped).
    ///
    /// A non-empty container stays open on the stack and `opened` is true: the returned position is where
    /// its first element (or member value) starts.
    private mutating func value(at position: Int) throws(NormalizationError) -> (Int, opened: Bool) {
        guard position < bytes.count else { throw syntax("the text ends where a value was expected", at: position) }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            let index = try open(.object, at: position)
            let inner = skipWhitespace(position + 1)
            if inner < bytes.count, bytes[inner] == UInt8(ascii: "}") {
                close(index, at: inner + 1)
                return (inner + 1, false)
            }
            return (try key(at: inner), true)
        case UInt8(ascii: "["):
            let index = try open(.array, at: position)
            let inner = skipWhitespace(position + 1)
            if inner < bytes.count, bytes[inner] == UInt8(ascii: "]") {
                close(index, at: inner + 1)
                return (inner + 1, false)
            }
            nodes[index].count = 1
            return (inner, true)
        case UInt8(ascii: "\""):
            return (try string(at: position), false)
        case UInt8(ascii: "t"):
            return (try literal("true", .true, at: position), false)
        case UInt8(ascii: "f"):
            return (try literal("false", .false, at: position), false)
        case UInt8(ascii: "n"):
            return (try literal("null", .null, at: position), false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return (try number(at: position), false)
        default:
            throw syntax("expected a JSON value (object, array, string, number, true, false or null)", at: position)
        }
    }

    /// Reads `"key" :` of an object member, leaving the position at the member's value.
    private mutating func key(at position: Int) throws(NormalizationError) -> Int {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw syntax("expected a member name in double quotes", at: position)
        }
        nodes[top].end = UInt32(nodes.count)
        nodes[top].count += 1
        let afterKey = skipWhitespace(try string(at: position))
        guard afterKey < bytes.count, bytes[afterKey] == UInt8(ascii: ":") else {
            throw syntax("expected ':' after the member name", at: afterKey)
        }
        return skipWhitespace(afterKey + 1)
    }

    private mutating func open(_ kind: JSONNode.Kind, at position: Int) throws(NormalizationError) -> Int {
        guard depth < Self.maximumDepth else {
            throw syntax("the JSON nests deeper than \(Self.maximumDepth) levels", at: position)
        }
        let index = nodes.count
        nodes.append(JSONNode(kind: kind, flag: false, start: UInt32(position), end: Self.none, next: top < 0 ? Self.none : UInt32(top), count: 0))
        top = index
        depth += 1
        return index
    }

    private mutating func close(_ index: Int, at end: Int) {
        let parent = nodes[index].next
        top = parent == Self.none ? -1 : Int(parent)
        depth -= 1
        nodes[index].end = UInt32(end)
        nodes[index].next = UInt32(nodes.count)
    }

    private mutating func append(_ kind: JSONNode.Kind, flag: Bool, from start: Int, to end: Int) {
        let next = UInt32(nodes.count + 1)
        nodes.append(JSONNode(kind: kind, flag: flag, start: UInt32(start), end: UInt32(end), next: next, count: 0))
    }

    private func skipWhitespace(_ position: Int) -> Int {
        var position = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return position
            }
        }
        return position
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONNode.Kind, at position: Int) throws(NormalizationError) -> Int {
        let length = word.utf8CodeUnitCount
        guard position + length <= bytes.count else { throw syntax("expected '\(word)'", at: position) }
        let matches = word.withUTF8Buffer { expected in
            (0..<length).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw syntax("expected '\(word)'", at: position) }
        append(kind, flag: false, from: position, to: position + length)
        return position + length
    }

    private mutating func number(at start: Int) throws(NormalizationError) -> Int {
        var position = start
        let count = bytes.count
        func digits(_ position: inout Int) -> Int {
            let begin = position
            while position < count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") { position += 1 }
            return position - begin
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") else {
            throw syntax("expected a digit in the number", at: position)
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                throw syntax("a number must not have a leading zero", at: position)
            }
        } else {
            _ = digits(&position)
        }
        var fractional = false
        if position < count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            fractional = true
            guard digits(&position) > 0 else { throw syntax("expected a digit after the decimal point", at: position) }
        }
        if position < count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            fractional = true
            if position < count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits(&position) > 0 else { throw syntax("expected a digit in the exponent", at: position) }
        }
        append(.number, flag: fractional, from: start, to: position)
        return position
    }

    /// Scans a string, checking escapes and UTF-8; returns the position after the closing quote.
    private mutating func string(at start: Int) throws(NormalizationError) -> Int {
        var position = start + 1
        var escaped = false
        let count = bytes.count
        while true {
            // Plain ASCII runs are the common case: skip them eight bytes at a time, then byte by byte.
            position = skipPlainASCII(from: position)
            guard position < count else { throw syntax("the text ends inside a string", at: start) }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position = try escape(at: position)
            } else if byte < 0x20 {
                throw syntax("a control character must be escaped inside a string", at: position)
            } else if byte < 0x80 {
                position += 1
            } else {
                position = try utf8Sequence(at: position)
            }
        }
        append(.string, flag: escaped, from: start, to: position + 1)
        return position + 1
    }

    /// The first position at or after `position` holding a quote, a backslash, a control character or
    /// a non-ASCII byte (or the end).
    ///
    /// Inlined into ``string(at:)``: as a call it copied the parser onto the stack every time, a
    /// third of its cost on the short strings of most bodies.
    @inline(__always)
    private func skipPlainASCII(from position: Int) -> Int {
        var position = position
        let count = bytes.count
        if let base = UnsafeRawPointer(bytes.baseAddress) {
            while position + 8 <= count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                let special = Self.specialBytes(word)
                // The lowest flagged byte is exact (borrows only run upwards): jump straight to it
                // rather than stepping through the word again, as most strings end inside one.
                guard special == 0 else { return position + special.trailingZeroBitCount / 8 }
                position += 8
            }
        }
        while position < count, Self.isPlain(bytes[position]) { position += 1 }
        return position
    }

    private static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }

    /// The high bit of each byte of `word` that may be below 0x20, at or above 0x80, a quote or a
    /// backslash; zero when there is none (SWAR tests: a byte is zero after XOR with the character
    /// exactly when it equals it). The lowest flag is always right; flags above it may be false.
    private static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeros(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let below = (word &- ones &* 0x20) & ~word & highs
        return below | word & highs | zeros(word ^ (ones &* 0x22)) | zeros(word ^ (ones &* 0x5C))
    }

    private func escape(at position: Int) throws(NormalizationError) -> Int {
        guard position + 1 < bytes.count else { throw syntax("the text ends inside an escape", at: position) }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return position + 2
        case UInt8(ascii: "u"):
            guard let unit = hex4(at: position + 2) else { throw syntax("expected four hex digits after \\u", at: position) }
            if unit >= 0xD800, unit < 0xDC00 {
                // A high surrogate must be followed by an escaped low surrogate.
                guard position + 7 < bytes.count, bytes[position + 6] == UInt8(ascii: "\\"), bytes[position + 7] == UInt8(ascii: "u"),
                    let low = hex4(at: position + 8), low >= 0xDC00, low < 0xE000
                else { throw syntax("a \\u escape of a high surrogate must be followed by a low surrogate", at: position) }
                return position + 12
            }
            guard !(unit >= 0xDC00 && unit < 0xE000) else { throw syntax("a lone low surrogate in a \\u escape", at: position) }
            return position + 6
        default:
            throw syntax("unknown escape sequence", at: position)
        }
    }

    private func hex4(at position: Int) -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[position..<position + 4] {
            guard let digit = hexValue(byte) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF).
    private func utf8Sequence(at position: Int) throws(NormalizationError) -> Int {
        let lead = bytes[position]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw syntax("invalid UTF-8 in a string", at: position)
        }
        guard position + length <= bytes.count else { throw syntax("invalid UTF-8 in a string", at: position) }
        let second = bytes[position + 1]
        guard second >= lower, second <= upper else { throw syntax("invalid UTF-8 in a string", at: position) }
        for offset in 2..<max(2, length) where bytes[position + offset] & 0xC0 != 0x80 {
            throw syntax("invalid UTF-8 in a string", at: position)
        }
        return position + length
    }

    /// A syntax error at byte `position`, with the path of the value being read.
    private func syntax(_ message: String, at position: Int) -> NormalizationError {
        NormalizationError(
            .malformedJSON,
            "malformed JSON: " + message,
            path: openPath(),
            expected: "valid JSON",
            found: foundText(at: position),
            location: JSONDocument.location(ofByte: position, in: Array(bytes))
        )
    }

    private func foundText(at position: Int) -> String {
        guard position < bytes.count else { return "end of input" }
        let end = min(bytes.count, position + 20)
        return NormalizationError.quote(String(decoding: bytes[position..<end], as: UTF8.self))
    }

    /// The path of the innermost open value, rebuilt from the chain of open containers.
    private func openPath() -> String {
        var chain: [Int] = []
        var index = top
        while index >= 0 {
            chain.append(index)
            index = nodes[index].next == Self.none ? -1 : Int(nodes[index].next)
        }
        var path = JSONPath.root
        for container in chain.reversed() {
            let node = nodes[container]
            if node.kind == .object {
                guard node.end != Self.none, Int(node.end) < nodes.count else { break }
                path = JSONPath.member(keyText(Int(node.end)), of: path)
            } else {
                path = JSONPath.element(max(0, Int(node.count) - 1), of: path)
            }
        }
        return path
    }

    private func keyText(_ index: Int) -> String {
        let node = nodes[index]
        return String(decoding: bytes[Int(node.start) + 1..<Int(node.end) - 1], as: UTF8.self)
    }
}

func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
