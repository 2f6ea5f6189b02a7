import NIOCore
import NIOHTTP1

/// NIO's HTTP/1 response parser, told about each request directly instead of by watching the
/// pipeline's writes, and noting whether any byte of the current answer arrived.
///
/// `HTTPResponseDecoder` pairs each answer with a request head it saw written. The pool writes a
/// request as one pre-encoded buffer, so it tells the parser with ``expectResponse()``; as a plain
/// decoder (not a write-observing one) it also lets those buffers pass.
final class ResponseDecoder: ByteToMessageDecoder {
    typealias InboundOut = HTTPClientResponsePart

    /// The head the parser pairs an answer with: only its method matters (a POST's answer has a body).
    private static let post = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")

    private let parser = HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop)
    /// Whether a byte arrived since the last ``expectResponse()``: a reused connection that closes
    /// before any did was closed by the server while idle, and the request can be retried.
    private(set) var sawBytes = false

    /// Prepares for the answer to a POST about to be written.
    func expectResponse() {
        sawBytes = false
        parser.write(data: .head(Self.post))
    }

    func decoderAdded(context: ChannelHandlerContext) {
        parser.decoderAdded(context: context)
    }

    func decoderRemoved(context: ChannelHandlerContext) {
        parser.decoderRemoved(context: context)
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if buffer.readableBytes > 0 { sawBytes = true }
        return try parser.decode(context: context, buffer: &buffer)
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        if buffer.readableBytes > 0 { sawBytes = true }
        return try parser.decodeLast(context: context, buffer: &buffer, seenEOF: seenEOF)
    }
}
