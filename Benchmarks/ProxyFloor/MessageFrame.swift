import NIOCore

/// Where a whole HTTP/1 message with a `Content-Length` body lies in a buffer; enough for forwarding
/// wrk's posts and nginx's answers, not a parser for the open network.
struct MessageFrame {
    /// The head's length, its blank line included.
    var headLength: Int
    var bodyLength: Int

    /// The first whole message in `buffer`, or nil while it is incomplete.
    init?(_ buffer: ByteBuffer) {
        guard let frame = buffer.withUnsafeReadableBytes({ Self.find(in: $0) }) else { return nil }
        self = frame
    }

    private init(headLength: Int, bodyLength: Int) {
        self.headLength = headLength
        self.bodyLength = bodyLength
    }

    private static let lengthField = Array("\r\ncontent-length:".utf8)

    private static func find(in bytes: UnsafeRawBufferPointer) -> MessageFrame? {
        guard bytes.count >= 4 else { return nil }
        var end = 0
        while end + 3 < bytes.count, !(bytes[end] == 13 && bytes[end + 1] == 10 && bytes[end + 2] == 13 && bytes[end + 3] == 10) { end += 1 }
        guard end + 3 < bytes.count else { return nil }
        let headLength = end + 4
        var length = 0
        var start = 0
        while start + lengthField.count < headLength {
            if lengthField.indices.allSatisfy({ lowercased(bytes[start + $0]) == lengthField[$0] }) {
                var index = start + lengthField.count
                while bytes[index] == UInt8(ascii: " ") { index += 1 }
                while (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                    length = length * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                    index += 1
                }
                break
            }
            start += 1
        }
        guard bytes.count >= headLength + length else { return nil }
        return MessageFrame(headLength: headLength, bodyLength: length)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}

/// Cuts the bytes read into messages and hands on each one's body.
final class RawMessages: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let onBody: (ByteBuffer) -> Void
    private var buffer: ByteBuffer?

    init(_ onBody: @escaping (ByteBuffer) -> Void) {
        self.onBody = onBody
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        if buffer == nil { buffer = part } else { buffer!.writeBuffer(&part) }
        while let current = buffer, let frame = MessageFrame(current) {
            onBody(current.getSlice(at: current.readerIndex + frame.headLength, length: frame.bodyLength)!)
            buffer!.moveReaderIndex(forwardBy: frame.headLength + frame.bodyLength)
        }
        // Read to the end: the next read starts a buffer of its own rather than growing this one.
        if buffer?.readableBytes == 0 { buffer = nil }
    }
}
