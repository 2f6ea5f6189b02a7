import GatewayCore

/// An answer's status line and header fields, and what they say about the body and the connection.
struct ResponseHead: Equatable {
    var status: Int
    /// The fields in order, repeated names kept.
    var headers: [HeaderField]
    /// The body's length, when `Content-Length` gives it and no transfer coding overrides it.
    var contentLength: Int?
    /// Whether `Transfer-Encoding` is present.
    var hasTransferEncoding = false
    /// Whether the last transfer coding is `chunked`.
    var isChunked = false
    /// Whether the connection can take another request after this answer.
    var keepAlive: Bool

    /// Reads a head from its bytes: the status line and each field line, each ending with CRLF.
    init(_ bytes: UnsafeRawBufferPointer) throws {
        var lines = LineReader(bytes: bytes)
        guard let statusLine = lines.next() else { throw ResponseParseError("the answer has no status line") }
        let (isHTTP11, status) = try Self.statusLine(statusLine)
        self.status = status
        headers = []
        headers.reserveCapacity(8)
        var closes = !isHTTP11
        var length: Int?
        while let line = lines.next() {
            let (field, kind, value) = try Self.field(line)
            headers.append(field)
            switch kind {
            case .contentLength:
                let this = try Self.length(value, field.value)
                guard length == nil || length == this else { throw ResponseParseError("Content-Length fields disagree") }
                length = this
            case .transferEncoding:
                hasTransferEncoding = true
                isChunked = Self.lastToken(value).map { $0.caseInsensitiveEquals("chunked") } ?? false
            case .connection:
                Self.forEachToken(value) { token in
                    if token.caseInsensitiveEquals("close") {
                        closes = true
                    } else if token.caseInsensitiveEquals("keep-alive"), !isHTTP11 {
                        closes = false
                    }
                }
            case .other: break
            }
        }
        if lines.isMalformed { throw ResponseParseError("a line of the head does not end with CRLF") }
        if let length {
            // A length beside a transfer coding may be an attempt at splitting answers: it is ignored, and
            // the connection not reused.
            if hasTransferEncoding { closes = true } else { contentLength = length }
        }
        if !isChunked, contentLength == nil, !(100..<200 ~= status || status == 204 || status == 304) { closes = true }
        keepAlive = !closes
    }

    // MARK: Lines

    /// `HTTP/1.x SP 3DIGIT [SP reason]`.
    private static func statusLine(_ line: UnsafeRawBufferPointer) throws -> (isHTTP11: Bool, status: Int) {
        guard line.count >= 12, line.starts(with: "HTTP/1.".utf8), line[8] == UInt8(ascii: " "),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[7]),
            line.count == 12 || line[12] == UInt8(ascii: " ")
        else { throw ResponseParseError("the status line is not HTTP/1.x: \(Self.quoted(line))") }
        var status = 0
        for byte in line[9..<12] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                throw ResponseParseError("the status code is not three digits: \(Self.quoted(line))")
            }
            status = status * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard status >= 100 else { throw ResponseParseError("the status code is below 100: \(Self.quoted(line))") }
        return (line[7] != UInt8(ascii: "0"), status)
    }

    private enum FieldKind {
        case contentLength, transferEncoding, connection, other
    }

    /// `name ":" OWS value OWS`: the name a token, the value with no control bytes but tab.
    private static func field(_ line: UnsafeRawBufferPointer) throws -> (HeaderField, FieldKind, value: UnsafeRawBufferPointer) {
        guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
            throw ResponseParseError("a field line starts with whitespace (obsolete line folding)")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            throw ResponseParseError("a field line has no name and colon: \(Self.quoted(line))")
        }
        for byte in line[..<colon] where !HTTPSyntax.isTokenByte(byte) {
            throw ResponseParseError("a field name holds \(ResponseParser.describe(byte)): \(Self.quoted(line))")
        }
        let value = trimmed(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
        for byte in value where byte < 0x20 && byte != UInt8(ascii: "\t") || byte == 0x7F {
            throw ResponseParseError("a field value holds \(ResponseParser.describe(byte))")
        }
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        return (HeaderField(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)), Self.kind(name), value)
    }

    private static func kind(_ name: UnsafeRawBufferPointer) -> FieldKind {
        switch name.count {
        case 14 where name.caseInsensitiveEquals("content-length"): .contentLength
        case 17 where name.caseInsensitiveEquals("transfer-encoding"): .transferEncoding
        case 10 where name.caseInsensitiveEquals("connection"): .connection
        default: .other
        }
    }

    /// A `Content-Length` value: digits, or a list of equal numbers (`text` is the value, for the error).
    private static func length(_ value: UnsafeRawBufferPointer, _ text: String) throws -> Int {
        var length: Int?
        var failed = false
        forEachToken(value) { item in
            guard let number = HTTPSyntax.decimal(item) else { return failed = true }
            if let length, length != number { failed = true }
            length = number
        }
        guard !failed, let length else { throw ResponseParseError("Content-Length is not a number of bytes: \"\(text)\"") }
        return length
    }

    /// Calls `body` with each item of a comma-separated list, trimmed (empty items included).
    private static func forEachToken(_ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while start <= value.count {
            let end = value[start...].firstIndex(of: UInt8(ascii: ",")) ?? value.count
            body(trimmed(UnsafeRawBufferPointer(rebasing: value[start..<end])))
            start = end + 1
        }
    }

    private static func lastToken(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var last: UnsafeRawBufferPointer?
        forEachToken(value) { last = $0 }
        return last
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    private static func quoted(_ line: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: line.prefix(80), as: UTF8.self)
        return "\"\(text)\(line.count > 80 ? "..." : "")\""
    }
}

/// The CRLF-ended lines of a head, as views of its bytes.
private struct LineReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    /// A line ended with a bare LF, or the bytes did not end with CRLF.
    private(set) var isMalformed = false

    mutating func next() -> UnsafeRawBufferPointer? {
        guard position < bytes.count, !isMalformed else { return nil }
        guard let end = bytes[position...].firstIndex(of: 0x0A), end > position, bytes[end - 1] == 0x0D else {
            isMalformed = true
            return nil
        }
        let line = UnsafeRawBufferPointer(rebasing: bytes[position..<(end - 1)])
        position = end + 1
        return line
    }
}
