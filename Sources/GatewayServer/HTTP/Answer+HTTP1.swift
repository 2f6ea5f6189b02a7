import HTTPTypes
import NIOCore

extension Answer {
    /// The answer as one HTTP/1.1 message: status line, the answer's fields, `Content-Length`, `Date`,
    /// `Server` (and `Connection: close` when `closing`), then the body.
    ///
    /// ``EventPostHandler`` writes these bytes below NIO's response encoder: building NIO's response
    /// head and header list and encoding them again cost a tenth of a sync post. The fields need no
    /// checks here: `HTTPFields` holds only valid names, and values with their invalid bytes replaced.
    func http1(date: String, server: String, closing: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = String(body.count)
        var size = 64 + date.utf8.count + server.utf8.count + length.utf8.count + body.count
        for field in headers { size += field.name.rawName.utf8.count + field.value.utf8.count + 4 }
        var buffer = allocator.buffer(capacity: size)
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        for field in headers { buffer.writeField(field.name.rawName, field.value) }
        buffer.writeField("Content-Length", length)
        buffer.writeField("Date", date)
        buffer.writeField("Server", server)
        if closing { buffer.writeStaticString("Connection: close\r\n") }
        buffer.writeStaticString("\r\n")
        buffer.writeBytes(body)
        return buffer
    }
}

extension ByteBuffer {
    fileprivate mutating func writeField(_ name: String, _ value: String) {
        writeString(name)
        writeStaticString(": ")
        writeString(value)
        writeStaticString("\r\n")
    }
}
