import NIOCore
import NIOHTTP1
import NIOPosix

// `ProxyFloor MODE UPSTREAM_PORT PORT`: a one-hop HTTP/1 proxy on SwiftNIO, for orientation beside
// nginx in `scripts/bench` (case f). It does nothing but forward: each client connection gets its own
// upstream connection, every POST body goes to the upstream and its answer's body comes back as a 200.
//
// - `raw`: bytes in, bytes out; messages framed by the end of the head and `Content-Length`.
// - `decoder`: NIO's HTTP/1 request decoder on the client side, bytes for the rest.
// - `codecs`: NIO's HTTP/1 codecs on both sides, as a plain NIO proxy would be written.
//
// The gateway's sync path reads requests with NIO's decoder and writes everything else as bytes, so
// `decoder` is the floor under it: what the gateway adds to that is its own work.
let arguments = CommandLine.arguments
guard arguments.count == 4, let mode = ProxyMode(rawValue: arguments[1]), let upstreamPort = Int(arguments[2]), let port = Int(arguments[3]) else {
    print("usage: ProxyFloor raw|decoder|codecs UPSTREAM_PORT PORT")
    exit(64)
}
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let server = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            let forwarder = Forwarder(mode: mode, upstreamPort: upstreamPort, client: channel)
            let pipeline = channel.pipeline.syncOperations
            switch mode {
            case .raw:
                try pipeline.addHandler(RawMessages(forwarder.forward))
            case .decoder:
                try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
                try pipeline.addHandler(DecodedBodies<HTTPRequestHead>(forwarder.forward))
            case .codecs:
                try pipeline.configureHTTPServerPipeline(withErrorHandling: false)
                try pipeline.addHandler(DecodedBodies<HTTPRequestHead>(forwarder.forward))
            }
        }
    }
    .bind(host: "127.0.0.1", port: port).wait()
print("ProxyFloor \(mode.rawValue) listening on \(server.localAddress!)")
try server.closeFuture.wait()
