import HTTPTypes
import NIOCore
import Testing

@testable import GatewayServer

/// The bytes an event post's answer goes out as, whole.
struct AnswerHTTP1Tests {
    @Test func anAnswerIsOneHTTP1MessageWithItsFieldsInOrder() {
        var headers = HTTPFields()
        headers.append(HTTPField(name: .contentType, value: "application/json"))
        headers.append(HTTPField(name: HTTPField.Name("X-Function")!, value: "resize"))
        headers.append(HTTPField(name: HTTPField.Name("Set-Cookie")!, value: "a=1"))
        headers.append(HTTPField(name: HTTPField.Name("Set-Cookie")!, value: "b=2"))
        let answer = Answer(status: .accepted, headers: headers, body: Array(#"{"accepted":["a"]}"#.utf8))
        let bytes = answer.http1(date: "Tue, 24 Nov 2026 08:00:00 GMT", server: "event-gateway", closing: false, allocator: ByteBufferAllocator())
        #expect(
            String(buffer: bytes) == "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nX-Function: resize\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                + "Content-Length: 18\r\nDate: Tue, 24 Nov 2026 08:00:00 GMT\r\nServer: event-gateway\r\n\r\n{\"accepted\":[\"a\"]}")
    }

    @Test func aClosingAnswerSaysSoAndAnEmptyBodyHasLengthZero() {
        let answer = Answer(status: HTTPResponse.Status(code: 599, reasonPhrase: "Odd\r\nInjected: 1"), headers: [:], body: [])
        let bytes = answer.http1(date: "D", server: "S", closing: true, allocator: ByteBufferAllocator())
        // HTTPTypes keeps no CR or LF in a reason phrase: nothing can start a field of its own.
        #expect(String(buffer: bytes) == "HTTP/1.1 599 Odd  Injected: 1\r\nContent-Length: 0\r\nDate: D\r\nServer: S\r\nConnection: close\r\n\r\n")
    }
}
