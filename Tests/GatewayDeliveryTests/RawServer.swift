import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A TCP server on 127.0.0.1, port 0, that answers each HTTP request with the raw bytes its script
/// says, then maybe closes or resets the connection: for answers a well-behaved HTTP server never
/// gives (read to close, cut off, 1xx first, a stale keep-alive connection).
final class RawServer: Sendable {
    /// What the server does after a complete request.
    enum Action: Sendable {
        /// Writes bytes.
        case send(String)
        /// Waits, then goes on.
        case pause(Duration)
        /// Closes the connection (a FIN).
        case close
        /// Resets the connection (an RST).
        case reset
    }

    /// A complete request: its connection's number (from 1) and the request's number on it (from 1).
    struct Received: Sendable {
        var connection: Int
        var index: Int
        var head: String
        var body: String
    }

    typealias Script = @Sendable (Received) -> [Action]

    let port: Int
    private let channel: any Channel
    private let state: Mutex<State>

    private struct State {
        var accepted = 0
        var requests: [Received] = []
    }

    /// Connections accepted so far.
    var accepted: Int { state.withLock { $0.accepted } }
    /// Requests received so far.
    var requests: [Received] { state.withLock { $0.requests } }
    var url: String { "http://127.0.0.1:\(port)" }

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.state = Mutex(State())
    }

    static func start(_ script: @escaping Script) async throws -> RawServer {
        let shared = Shared(script: script)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let number = shared.accept()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Connection(number: number, shared: shared))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = RawServer(channel: channel)
        shared.server.withLock { $0 = server }
        return server
    }

    /// Runs `body` with a started server and stops it afterwards.
    static func with<T>(_ script: @escaping Script, _ body: (RawServer) async throws -> T) async throws -> T {
        let server = try await start(script)
        defer { server.channel.close(promise: nil) }
        return try await body(server)
    }

    /// Stops listening; open connections stay.
    func stop() async throws {
        try await channel.close()
    }

    /// A complete HTTP/1.1 answer with a length.
    static func answer(_ status: Int = 200, _ body: String = "ok", headers: [String] = []) -> String {
        let fields = (headers + ["Content-Length: \(body.utf8.count)"]).map { $0 + "\r\n" }.joined()
        return "HTTP/1.1 \(status) X\r\n\(fields)\r\n\(body)"
    }

    fileprivate func record(_ received: Received) {
        state.withLock { $0.requests.append(received) }
    }

    fileprivate func countAccept() {
        state.withLock { $0.accepted += 1 }
    }

    /// What the connections share: the script, the count, and the server once it listens.
    private final class Shared: Sendable {
        let script: Script
        let connections = Mutex(0)
        let server = Mutex<RawServer?>(nil)

        init(script: @escaping Script) {
            self.script = script
        }

        func accept() -> Int {
            server.withLock { $0?.countAccept() }
            return connections.withLock {
                $0 += 1
                return $0
            }
        }
    }

    /// Cuts requests out of the bytes received and plays the script for each.
    private final class Connection: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let number: Int
        let shared: Shared
        var pending = ByteBuffer()
        var index = 0

        init(number: Int, shared: Shared) {
            self.number = number
            self.shared = shared
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            pending.writeBuffer(&bytes)
            while let received = nextRequest() {
                shared.server.withLock { $0?.record(received) }
                play(shared.script(received)[...], context: context)
            }
        }

        private func nextRequest() -> Received? {
            let text = String(decoding: pending.readableBytesView, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { return nil }
            let head = String(text[..<end.lowerBound])
            let length = head.split(separator: "\r\n").compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
            let headBytes = head.utf8.count + 4
            guard pending.readableBytes >= headBytes + length else { return nil }
            pending.moveReaderIndex(forwardBy: headBytes)
            let body = pending.readString(length: length) ?? ""
            pending.discardReadBytes()
            index += 1
            return Received(connection: number, index: index, head: head, body: body)
        }

        private func play(_ actions: ArraySlice<Action>, context: ChannelHandlerContext) {
            guard let action = actions.first else { return }
            let rest = actions.dropFirst()
            switch action {
            case .send(let text):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
                play(rest, context: context)
            case .pause(let duration):
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: TimeAmount(duration)) {
                    let (handler, context) = loopBound.value
                    handler.play(rest, context: context)
                }
            case .close:
                context.close(promise: nil)
            case .reset:
                let channel = context.channel
                guard let socket = channel as? any SocketOptionProvider else {
                    channel.close(promise: nil)
                    return
                }
                socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
