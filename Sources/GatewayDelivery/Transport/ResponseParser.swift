import GatewayCore
import NIOCore

/// Reads HTTP/1.1 answers to POSTs from the bytes of a connection, as they arrive (RFC 9112).
///
/// The pool's connections used NIO's parser, whose answer heads (NIO's header list, then copied into
/// ``HeaderField``s) and parts passed through the channel pipeline cost as much as a sync post's
/// normalization. This one makes the fields directly and hands body bytes over as slices of the
/// buffer read.
///
/// It takes what a client must: `Content-Length`, chunked bodies (extensions and trailers skipped),
/// bodies read to the close, answers without a body (204, 304), informational answers skipped
/// (1xx but 101) and HTTP/1.0's keep-alive rules. It refuses, naming the fault: a bad status line,
/// folded or malformed fields, conflicting lengths, bad chunk sizes, and a head over ``maxHeadBytes``.
struct ResponseParser {
    /// The largest answer head, or chunked trailer section, taken.
    static let maxHeadBytes = 64 * 1024

    /// One piece of an answer.
    enum Part: Equatable {
        case head(ResponseHead)
        case body(ByteBuffer)
        case end
    }

    private enum State: Equatable {
        /// No answer expected: any byte is out of step.
        case idle
        /// Reading a head (after any informational ones).
        case head
        /// The head said there is no body: the end comes next.
        case ending
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        /// The CRLF after a chunk's data.
        case chunkEnd
        case trailers
        case untilClose
    }

    private var state = State.idle
    /// Whether a byte arrived since the last ``expectResponse()``: a reused connection that closes
    /// before any did was closed by the server while idle, and the request can be retried.
    private(set) var sawBytes = false

    /// Prepares for the answer to a POST about to be written.
    mutating func expectResponse() {
        state = .head
        sawBytes = false
    }

    /// The next part of the answer, consuming its bytes from `buffer`; nil when more bytes are needed
    /// (what is left in `buffer` must be kept and read again with the bytes after it).
    mutating func next(_ buffer: inout ByteBuffer) throws -> Part? {
        if buffer.readableBytes > 0 { sawBytes = true }
        switch state {
        case .idle:
            guard buffer.readableBytes == 0 else { throw ResponseParseError("bytes arrived with no request waiting for them") }
            return nil
        case .head:
            return try head(&buffer)
        case .ending:
            state = .idle
            return .end
        case .fixed(let remaining):
            return body(&buffer, upTo: remaining) { $0 == 0 ? .ending : .fixed(remaining: $0) }
        case .chunkSize:
            return try chunkSize(&buffer)
        case .chunkData(let remaining):
            return body(&buffer, upTo: remaining) { $0 == 0 ? .chunkEnd : .chunkData(remaining: $0) }
        case .chunkEnd:
            guard buffer.readableBytes >= 2 else { return nil }
            guard buffer.readInteger(as: UInt16.self) == Self.crlf else { throw ResponseParseError("a chunk's data does not end with CRLF") }
            state = .chunkSize
            return try chunkSize(&buffer)
        case .trailers:
            return try trailers(&buffer)
        case .untilClose:
            return body(&buffer, upTo: Int.max) { _ in .untilClose }
        }
    }

    /// The connection closed: the end of an answer read to the close, nil otherwise (an answer cut
    /// short is the connection's to report).
    mutating func endOfInput() -> Part? {
        guard state == .untilClose else { return nil }
        state = .idle
        return .end
    }

    // MARK: Pieces

    private static let crlf = UInt16(0x0D0A)

    /// Body bytes, up to `remaining` of them, as a slice; `next` gives the state for what is left.
    private mutating func body(_ buffer: inout ByteBuffer, upTo remaining: Int, then next: (Int) -> State) -> Part? {
        let count = min(remaining, buffer.readableBytes)
        guard count > 0, let slice = buffer.readSlice(length: count) else { return nil }
        state = next(remaining - count)
        return .body(slice)
    }

    private mutating func head(_ buffer: inout ByteBuffer) throws -> Part? {
        while true {
            guard let length = Self.sectionLength(buffer) else {
                guard buffer.readableBytes <= Self.maxHeadBytes else { throw ResponseParseError("the answer's head is over \(Self.maxHeadBytes) bytes") }
                return nil
            }
            guard length <= Self.maxHeadBytes else { throw ResponseParseError("the answer's head is over \(Self.maxHeadBytes) bytes") }
            // The fields' lines end with CRLF; the empty line after them is left out.
            let head = try buffer.readWithUnsafeReadableBytes { bytes in
                (length, try ResponseHead(UnsafeRawBufferPointer(rebasing: bytes[..<(length - 2)])))
            }
            switch head.status {
            case 101:
                throw ResponseParseError("the server switched protocols, which no request asked for")
            case 100..<200:
                continue
            case 204, 304:
                state = .ending
            default:
                state = Self.framing(head)
            }
            return .head(head)
        }
    }

    private mutating func chunkSize(_ buffer: inout ByteBuffer) throws -> Part? {
        guard let line = try Self.lineLength(buffer) else {
            guard buffer.readableBytes <= 1024 else { throw ResponseParseError("a chunk-size line is over 1024 bytes") }
            return nil
        }
        let size = try buffer.readWithUnsafeReadableBytes { bytes in
            (line + 2, try Self.chunkSize(UnsafeRawBufferPointer(rebasing: bytes[..<line])))
        }
        guard size > 0 else {
            state = .trailers
            return try trailers(&buffer)
        }
        state = .chunkData(remaining: size)
        return try next(&buffer)
    }

    private mutating func trailers(_ buffer: inout ByteBuffer) throws -> Part? {
        guard buffer.readableBytes >= 2 else { return nil }
        if buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) == Self.crlf {
            buffer.moveReaderIndex(forwardBy: 2)
        } else {
            guard let length = Self.sectionLength(buffer) else {
                guard buffer.readableBytes <= Self.maxHeadBytes else { throw ResponseParseError("the trailer section is over \(Self.maxHeadBytes) bytes") }
                return nil
            }
            buffer.moveReaderIndex(forwardBy: length)
        }
        state = .idle
        return .end
    }

    /// The length of a section ending with an empty line (CRLF CRLF), terminator included.
    private static func sectionLength(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            guard bytes.count >= 4 else { return nil }
            var index = 0
            while index + 3 < bytes.count {
                // The window's last byte must be LF. A byte that is neither CR nor LF cannot be part of
                // the next three windows either, so those are skipped.
                guard bytes[index + 3] == 0x0A else {
                    index += bytes[index + 3] == 0x0D ? 1 : 4
                    continue
                }
                if bytes[index] == 0x0D, bytes[index + 1] == 0x0A, bytes[index + 2] == 0x0D { return index + 4 }
                index += 1
            }
            return nil
        }
    }

    /// The length of the first line, CRLF excluded; nil when it has not all arrived.
    private static func lineLength(_ buffer: ByteBuffer) throws -> Int? {
        try buffer.withUnsafeReadableBytes { bytes in
            guard let end = bytes.firstIndex(of: 0x0A) else { return nil }
            guard end > 0, bytes[end - 1] == 0x0D else { throw ResponseParseError("a chunk-size line does not end with CRLF") }
            return end - 1
        }
    }

    /// How the body after `head` ends (RFC 9112, section 6.3).
    private static func framing(_ head: ResponseHead) -> State {
        if head.isChunked { return .chunkSize }
        // Another transfer coding last, or none and no length: the body runs to the close.
        if head.hasTransferEncoding { return .untilClose }
        guard let length = head.contentLength else { return .untilClose }
        return length == 0 ? .ending : .fixed(remaining: length)
    }

    /// A chunk size: hex digits, then any extensions (skipped).
    private static func chunkSize(_ line: UnsafeRawBufferPointer) throws -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                guard digits > 0 else { throw ResponseParseError("a chunk size has no digits") }
                return size
            default:
                throw ResponseParseError("a chunk size holds \(Self.describe(byte))")
            }
            digits += 1
            guard digits <= 15 else { throw ResponseParseError("a chunk size is too large") }
            size = size * 16 + digit
        }
        guard digits > 0 else { throw ResponseParseError("a chunk size has no digits") }
        return size
    }

    static func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "the byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}
