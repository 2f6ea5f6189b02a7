import NIOCore
import NIOPosix
import Synchronization

/// A real TCP server on 127.0.0.1 port 0 that resets every connection once a request arrives: a
/// function whose process dies mid-request.
final class ResettingServer: Sendable {
    let channel: any Channel
    private let resets: Counter

    /// Connections reset so far.
    var resetCount: Int { resets.value }
    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)" }

    private init(channel: any Channel, resets: Counter) {
        self.channel = channel
        self.resets = resets
    }

    /// Closes the connection with SO_LINGER 0 on the first bytes, so the peer sees a reset rather than an
    /// orderly close.
    final class Resetter: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let resets: Counter

        init(resets: Counter) {
            self.resets = resets
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            _ = resets.next()
            let channel = context.channel
            guard let socket = channel as? any SocketOptionProvider else { return channel.close(promise: nil) }
            socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    static func start() async throws -> ResettingServer {
        let resets = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Resetter(resets: resets)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ResettingServer(channel: channel, resets: resets)
    }

    func stop() async {
        try? await channel.close()
    }
}
