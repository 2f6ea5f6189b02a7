import NIOCore
import NIOHTTP1
import NIOPosix

/// One client connection's upstream connection: posts go out in order, answers come back in order.
final class Forwarder {
    private let mode: ProxyMode
    private let upstreamPort: Int
    private let client: any Channel
    private var upstream: (any Channel)?
    private var waiting: [ByteBuffer] = []
    private var connecting = false

    init(mode: ProxyMode, upstreamPort: Int, client: any Channel) {
        self.mode = mode
        self.upstreamPort = upstreamPort
        self.client = client
    }

    /// Sends a post's body upstream.
    func forward(_ body: ByteBuffer) {
        guard let upstream else {
            waiting.append(body)
            if !connecting { connect() }
            return
        }
        guard mode == .codecs else {
            let head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.readableBytes)\r\n\r\n"
            return Self.write(head, body, to: upstream)
        }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
        head.headers.add(name: "Host", value: "127.0.0.1")
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        upstream.write(HTTPClientRequestPart.head(head), promise: nil)
        upstream.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
        upstream.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    /// Sends an answer's body back to the client as a 200.
    func answer(_ body: ByteBuffer) {
        guard mode == .codecs else {
            return Self.write("HTTP/1.1 200 OK\r\nContent-Length: \(body.readableBytes)\r\n\r\n", body, to: client)
        }
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        client.write(HTTPServerResponsePart.head(head), promise: nil)
        client.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
        client.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
    }

    /// Writes a message given as its head's text and its body, in one buffer.
    private static func write(_ head: String, _ body: ByteBuffer, to channel: any Channel) {
        var bytes = channel.allocator.buffer(capacity: head.utf8.count + body.readableBytes)
        bytes.writeString(head)
        bytes.writeImmutableBuffer(body)
        channel.writeAndFlush(bytes, promise: nil)
    }

    private func connect() {
        connecting = true
        // Both the upstream's setup and the connect's outcome run on the client's loop.
        let bound = NIOLoopBound(self, eventLoop: client.eventLoop)
        ClientBootstrap(group: client.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let forwarder = bound.value
                    let pipeline = channel.pipeline.syncOperations
                    if forwarder.mode == .codecs {
                        try pipeline.addHTTPClientHandlers()
                        try pipeline.addHandler(DecodedBodies<HTTPResponseHead>(forwarder.answer))
                    } else {
                        try pipeline.addHandler(RawMessages(forwarder.answer))
                    }
                }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
            .whenComplete { result in bound.value.connected(result) }
    }

    private func connected(_ result: Result<any Channel, any Error>) {
        guard case .success(let channel) = result else { return client.close(promise: nil) }
        upstream = channel
        client.closeFuture.whenComplete { _ in channel.close(promise: nil) }
        let waiting = self.waiting
        self.waiting = []
        waiting.forEach(forward)
    }
}

/// Messages read with NIO's decoder, posts or answers alike: each whole body goes to `onBody`.
final class DecodedBodies<Head: Equatable>: ChannelInboundHandler {
    typealias InboundIn = HTTPPart<Head, ByteBuffer>

    private let onBody: (ByteBuffer) -> Void
    private var body: ByteBuffer?

    init(_ onBody: @escaping (ByteBuffer) -> Void) {
        self.onBody = onBody
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: body = nil
        case .body(var part): if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end: onBody(body ?? ByteBuffer())
        }
    }
}
