import NIOCore
import NIOHTTP1
import Testing

@testable import GatewayServer

/// Plain posts read from bytes, and everything else left to NIO's decoder.
struct PostHeadTests {
    static let plain =
        "POST /events/functiongraph.smn?mode=async HTTP/1.1\r\nHost: gateway:8080\r\nContent-Type:application/json \r\n"
        + "X-Empty:\r\nX-Spaced: \t a  b \t\r\nX-Bytes: caf\u{E9}\r\nContent-Length: 12\r\n\r\n"

    static func parse(_ text: String) -> PostHead.Outcome {
        Array(text.utf8).withUnsafeBytes(PostHead.parse)
    }

    @Test func aPlainPostIsReadWithItsFieldsInOrder() throws {
        guard case .head(let head, let bodyLength, let headLength) = Self.parse(Self.plain + #"{"a":"body"}"#) else {
            Issue.record("not read: \(Self.parse(Self.plain))")
            return
        }
        #expect(head.method == .POST)
        #expect(head.uri == "/events/functiongraph.smn?mode=async")
        #expect(head.version == .http1_1)
        #expect(head.headers.map { "\($0.name)=\($0.value)" } == [
            "Host=gateway:8080", "Content-Type=application/json", "X-Empty=", "X-Spaced=a  b", "X-Bytes=caf\u{E9}", "Content-Length=12",
        ])
        #expect(bodyLength == 12)
        #expect(headLength == Self.plain.utf8.count)
    }

    @Test func aPostWithoutLengthHasNoBodyAndHTTP10IsKept() {
        guard case .head(let head, let bodyLength, _) = Self.parse("POST / HTTP/1.0\r\n\r\nleft for the next request") else {
            Issue.record("not read")
            return
        }
        #expect(head.version == .http1_0)
        #expect(!head.isKeepAlive)
        #expect(bodyLength == 0)
    }

    /// Every prefix of a plain head waits for more bytes: none is taken for something else.
    @Test(arguments: 0..<plain.utf8.count)
    func everyPrefixOfAPlainHeadIsIncomplete(length: Int) {
        let prefix = String(decoding: Array(Self.plain.utf8).prefix(length), as: UTF8.self)
        guard case .incomplete = Self.parse(prefix) else {
            Issue.record("\(length) bytes: \(Self.parse(prefix))")
            return
        }
    }

    /// Left to NIO's decoder: other methods and versions, other framing, and every form that request
    /// smuggling uses.
    @Test(arguments: [
        "GET / HTTP/1.1\r\n\r\n",
        "POST  / HTTP/1.1\r\n\r\n",
        "POST http://gateway/ HTTP/1.1\r\n\r\n",
        "POST /a b HTTP/1.1\r\n\r\n",
        "POST / HTTP/2.0\r\n\r\n",
        "POST / HTTP/1.2\r\n\r\n",
        "POST / http/1.1\r\n\r\n",
        "POST / HTTP/1.1\n\r\n",
        "POST / HTTP/1.1 \r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\ntransfer-encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\n",
        "POST / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",
        "POST / HTTP/1.1\r\nX-A: 1\nX-B: 2\r\n\r\n",
        "POST / HTTP/1.1\r\nX-A: 1\rX-B: 2\r\n\r\n",
        "POST / HTTP/1.1\r\nX-A: a\u{0}b\r\n\r\n",
        "POST / HTTP/1.1\r\n: empty name\r\n\r\n",
        "POST / HTTP/1.1\r\nX(A): 1\r\n\r\n",
        "POST / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n",
        "POST / HTTP/1.1\r\n\r\r\n",
        "NOT HTTP AT ALL\r\n\r\n",
    ])
    func otherRequestsAreLeftToTheDecoder(request: String) {
        guard case .other = Self.parse(request) else {
            Issue.record("\(request.debugDescription): \(Self.parse(request))")
            return
        }
    }

    @Test func moreThanAHundredFieldsAreLeftToTheDecoder() {
        func head(fields count: Int) -> String {
            "POST / HTTP/1.1\r\n" + (0..<count).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        }
        guard case .head = Self.parse(head(fields: PostHead.maxFields)) else {
            Issue.record("a hundred fields not read")
            return
        }
        guard case .other = Self.parse(head(fields: PostHead.maxFields + 1)) else {
            Issue.record("a hundred and one fields read")
            return
        }
    }
}
