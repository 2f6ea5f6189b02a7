import GatewayCore
import NIOCore
import Testing

@testable import GatewayDelivery

/// The pool's HTTP/1.1 answer parser over bytes: every framing, whole and cut at every byte, and
/// each malformed answer refused with what was wrong.
struct ResponseParserTests {
    /// What a parser made of an answer.
    struct Read: Equatable, CustomStringConvertible {
        var status = 0
        var headers: [HeaderField] = []
        var keepAlive = false
        var body = ""
        var ended = false

        var description: String { "\(status) \(headers.map { "\($0.name)=\($0.value)" }) keepAlive=\(keepAlive) body=\(body.debugDescription) ended=\(ended)" }
    }

    /// Feeds `chunks` in turn, keeping unparsed bytes as the pool's connection does, then the close
    /// when `close` is set.
    static func read(_ chunks: [String], close: Bool = false) throws -> Read {
        var parser = ResponseParser()
        parser.expectResponse()
        var read = Read()
        var unread = ByteBuffer()
        for chunk in chunks {
            unread.writeString(chunk)
            while let part = try parser.next(&unread) { apply(part, to: &read) }
        }
        if close, let part = parser.endOfInput() { apply(part, to: &read) }
        return read
    }

    static func apply(_ part: ResponseParser.Part, to read: inout Read) {
        switch part {
        case .head(let head):
            read.status = head.status
            read.headers = head.headers
            read.keepAlive = head.keepAlive
        case .body(let bytes): read.body += String(buffer: bytes)
        case .end: read.ended = true
        }
    }

    /// Each answer, whether it is read to the close, and what it must read as.
    static let answers: [(String, Bool, Read)] = [
        (
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello", false,
            Read(status: 200, headers: [HeaderField("Content-Type", "text/plain"), HeaderField("Content-Length", "5")], keepAlive: true, body: "hello", ended: true)
        ),
        (
            "HTTP/1.1 201 Created\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;name=v\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Checksum: 1\r\n\r\n", false,
            Read(status: 201, headers: [HeaderField("Transfer-Encoding", "gzip, chunked")], keepAlive: true, body: "hello, world!!!", ended: true)
        ),
        (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false,
            Read(status: 200, headers: [HeaderField("Transfer-Encoding", "chunked")], keepAlive: true, body: "", ended: true)
        ),
        (
            "HTTP/1.1 200 OK\r\nX-A:  spaced \t\r\n\r\nto the close", true,
            Read(status: 200, headers: [HeaderField("X-A", "spaced")], keepAlive: false, body: "to the close", ended: true)
        ),
        (
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\nX-B: b\r\n\r\n", false,
            Read(status: 204, headers: [HeaderField("X-B", "b")], keepAlive: true, body: "", ended: true)
        ),
        (
            "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok", false,
            Read(status: 200, headers: [HeaderField("Connection", "Keep-Alive"), HeaderField("Content-Length", "2")], keepAlive: true, body: "ok", ended: true)
        ),
        (
            "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false,
            Read(status: 200, headers: [HeaderField("Content-Length", "2")], keepAlive: false, body: "ok", ended: true)
        ),
        (
            "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 2, 2\r\nRetry-After: 3\r\n\r\nno", false,
            Read(
                status: 503, headers: [HeaderField("Connection", "close"), HeaderField("Content-Length", "2, 2"), HeaderField("Retry-After", "3")], keepAlive: false,
                body: "no", ended: true)
        ),
        (
            "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false,
            Read(status: 200, headers: [HeaderField("Content-Length", "0")], keepAlive: true, body: "", ended: true)
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", false,
            Read(status: 200, headers: [HeaderField("Content-Length", "3"), HeaderField("Transfer-Encoding", "chunked")], keepAlive: false, body: "abc", ended: true)
        ),
    ]

    @Test(arguments: answers.indices)
    func anAnswerReadsTheSameWholeAndCutAnywhere(_ index: Int) throws {
        let (text, toClose, expected) = Self.answers[index]
        #expect(try Self.read([text], close: toClose) == expected)
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            let parts = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            #expect(try Self.read(parts, close: toClose) == expected, "cut at \(cut)")
        }
        #expect(try Self.read(bytes.map { String(decoding: [$0], as: UTF8.self) }, close: toClose) == expected, "byte by byte")
    }

    @Test func anAnswerWithoutItsCloseHasNotEnded() throws {
        #expect(try Self.read(["HTTP/1.1 200 OK\r\n\r\nmore"]).ended == false)
    }

    @Test func aSecondAnswerOnTheConnectionReadsAfterTheFirst() throws {
        var parser = ResponseParser()
        let next = "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nb"
        var bytes = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na" + next)
        var first = Read()
        parser.expectResponse()
        while !first.ended, let part = try parser.next(&bytes) { Self.apply(part, to: &first) }
        #expect(first.body == "a" && bytes.readableBytes == next.utf8.count)
        // Not asked for yet: the rest waits.
        #expect(throws: ResponseParseError("bytes arrived with no request waiting for them")) { try parser.next(&bytes) }
        var second = Read()
        parser.expectResponse()
        while let part = try parser.next(&bytes) { Self.apply(part, to: &second) }
        #expect(second.status == 404 && second.body == "b" && second.ended)
    }

    static let malformed: [(String, String)] = [
        ("HTTP/2 200 OK\r\n\r\n", #"the status line is not HTTP/1.x: "HTTP/2 200 OK""#),
        ("HTTP/1.1 2x0 OK\r\n\r\n", #"the status code is not three digits: "HTTP/1.1 2x0 OK""#),
        ("HTTP/1.1 099 Odd\r\n\r\n", #"the status code is below 100: "HTTP/1.1 099 Odd""#),
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", "the server switched protocols, which no request asked for"),
        ("HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\n\r\n", "a field line starts with whitespace (obsolete line folding)"),
        ("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", #"a field line has no name and colon: "no colon here""#),
        ("HTTP/1.1 200 OK\r\nX A: a\r\n\r\n", #"a field name holds the byte 0x20: "X A: a""#),
        ("HTTP/1.1 200 OK\r\nX-A: a\u{1}b\r\n\r\n", "a field value holds the byte 0x1"),
        ("HTTP/1.1 200 OK\r\nX-A: a\nX-B: b\r\n\r\n", "a line of the head does not end with CRLF"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", "Content-Length fields disagree"),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", #"Content-Length is not a number of bytes: "-1""#),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", #"Content-Length is not a number of bytes: "1, 2""#),
        ("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", #"Content-Length is not a number of bytes: "99999999999999999999""#),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", "a chunk size holds 'x'"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;ext\r\n", "a chunk size has no digits"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", "a chunk size is too large"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", "a chunk's data does not end with CRLF"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n", "a chunk-size line does not end with CRLF"),
    ]

    @Test(arguments: malformed)
    func aMalformedAnswerIsRefusedSayingWhy(_ text: String, _ message: String) throws {
        #expect(throws: ResponseParseError(message)) { try Self.read([text]) }
    }

    @Test func aHeadOverTheLimitIsRefusedBeforeItEnds() throws {
        let field = "X-Long: " + String(repeating: "a", count: ResponseParser.maxHeadBytes) + "\r\n"
        #expect(throws: ResponseParseError("the answer's head is over \(ResponseParser.maxHeadBytes) bytes")) {
            try Self.read(["HTTP/1.1 200 OK\r\n", field])
        }
    }

    @Test func theErrorSaysTheAnswerIsMalformed() {
        #expect(ResponseParseError("a chunk size has no digits").description == "malformed answer: a chunk size has no digits")
    }
}
