import NIOCore
import NIOHTTP1

/// Reads plain posts from the bytes received, ahead of NIO's HTTP/1 decoder, and hands on their parts
/// as the decoder would: from the decoder's place in the pipeline, so the ``EventPostHandler`` after it
/// (and the router's side after that) cannot tell the difference.
///
/// The first request that is not a plain post (``PostHead``) goes to the decoder with every byte after
/// it, for the rest of the connection: a connection is read one way from then on, and a request never
/// two ways.
final class PostReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// A head not complete within this many bytes goes to the decoder (whose limits are larger).
    static let headLimit = 16 * 1024

    /// The decoder's context: parts fired from it reach the handlers after the decoder.
    private let parts: ChannelHandlerContext
    /// Bytes received and not yet read.
    private var pending: ByteBuffer?
    /// Bytes of the current post's body still to come.
    private var bodyLeft = 0
    /// The decoder reads the rest of the connection.
    private var passing = false

    init(parts: ChannelHandlerContext) {
        self.parts = parts
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !passing else { return context.fireChannelRead(data) }
        var bytes = unwrapInboundIn(data)
        if var pending = self.pending.take() {
            pending.writeBuffer(&bytes)
            bytes = pending
        }
        read(&bytes, context: context)
        if bytes.readableBytes > 0 { pending = bytes }
    }

    /// Hands on the parts in `bytes`, leaving what is not yet a whole head.
    private func read(_ bytes: inout ByteBuffer, context: ChannelHandlerContext) {
        while bytes.readableBytes > 0 {
            if bodyLeft > 0, let body = bytes.readSlice(length: min(bodyLeft, bytes.readableBytes)) {
                bodyLeft -= body.readableBytes
                parts.fireChannelRead(NIOAny(HTTPServerRequestPart.body(body)))
                if bodyLeft == 0 { parts.fireChannelRead(NIOAny(HTTPServerRequestPart.end(nil))) }
                continue
            }
            switch bytes.withUnsafeReadableBytes(PostHead.parse) {
            case .incomplete where bytes.readableBytes <= Self.headLimit:
                return
            case .incomplete, .other:
                passing = true
                let rest = bytes
                bytes.clear()
                return context.fireChannelRead(wrapInboundOut(rest))
            case .head(let head, let bodyLength, let headLength):
                bytes.moveReaderIndex(forwardBy: headLength)
                parts.fireChannelRead(NIOAny(HTTPServerRequestPart.head(head)))
                bodyLeft = bodyLength
                if bodyLength == 0 { parts.fireChannelRead(NIOAny(HTTPServerRequestPart.end(nil))) }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !passing {
            if bodyLeft > 0 {
                // As the decoder does for a body cut short: the post's handler drops it.
                bodyLeft = 0
                parts.fireErrorCaught(HTTPParserError.invalidEOFState)
            } else if let rest = pending.take() {
                // A head cut short: the decoder gives its own verdict at the end of the stream.
                passing = true
                context.fireChannelRead(wrapInboundOut(rest))
            }
        }
        context.fireChannelInactive()
    }
}
