import GatewayCore
import NIOCore

/// One keep-alive connection to a host: the last handler of its channel, reading the answer to the
/// exchange in flight.
///
/// Lives on its ``LoopConnections``'s event loop. It hands itself back to the pool after a complete
/// answer that allows keep-alive, and closes itself otherwise: after `Connection: close`, an
/// over-limit body, a malformed answer or a cancelled call, so no half-read answer is ever reused.
final class PooledConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let key: ConnectionKey
    private var parser = ResponseParser()
    /// Bytes read and not parsed yet (an answer's head or a chunk-size line cut by the read).
    private var unread: ByteBuffer?
    /// Since when the connection has been idle, for the idle timeout.
    var idleSince = NIODeadline.now()
    private let owner: LoopConnections
    private var context: ChannelHandlerContext?
    private var exchange: Exchange?
    /// Requests written on this connection so far.
    private var requests = 0
    /// The answer in flight ends the connection (`Connection: close`, HTTP/1.0).
    private var closesAfterAnswer = false
    private var isClosing = false
    /// The last error the channel reported, for the failure's message.
    private var lastError: (any Error)?

    init(key: ConnectionKey, owner: LoopConnections) {
        self.key = key
        self.owner = owner
    }

    /// Whether the connection can take a request.
    var isUsable: Bool { !isClosing && context?.channel.isActive == true }

    /// Writes the exchange's request in one buffer and reads its answer.
    func send(_ exchange: Exchange, target: RequestTarget) {
        guard let context, isUsable else {
            exchange.fail(ConnectionPoolError(.closed, "the connection closed before the request was sent"))
            return
        }
        self.exchange = exchange
        exchange.phase = .running(self)
        requests += 1
        closesAfterAnswer = false
        parser.expectResponse()
        context.writeAndFlush(wrapOutboundOut(exchange.encode(target, allocator: context.channel.allocator)), promise: nil)
    }

    /// Drops the exchange in flight (its caller was cancelled) and closes the connection.
    func abandon() {
        exchange = nil
        close()
    }

    func close() {
        isClosing = true
        context?.close(promise: nil)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var earlier = unread {
            unread = nil
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        do {
            while !isClosing, let part = try parser.next(&bytes) {
                receive(part, outOfStep: bytes.readableBytes > 0, context: context)
            }
        } catch {
            lastError = error
            return close()
        }
        if bytes.readableBytes > 0, !isClosing { unread = bytes }
    }

    /// Takes a part of the answer; `outOfStep` says bytes followed it in the same read, which no request
    /// asked for when the part is the end (the connection then closes rather than take another call).
    private func receive(_ part: ResponseParser.Part, outOfStep: Bool, context: ChannelHandlerContext) {
        guard let exchange else {
            // Bytes nobody asked for: the connection is out of step.
            return close()
        }
        switch part {
        case .head(let head):
            closesAfterAnswer = !head.keepAlive
            if !exchange.receiveHead(status: head.status, headers: head.headers, contentLength: head.contentLength) {
                abandon()
            }
        case .body(let buffer):
            if !exchange.receiveBody(buffer) { abandon() }
        case .end:
            self.exchange = nil
            exchange.succeed()
            if closesAfterAnswer || outOfStep || !context.channel.isActive {
                close()
            } else {
                owner.release(self)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        lastError = error
        close()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosing = true
        unread = nil
        // An answer read to the close ends here, unless the connection broke.
        if lastError == nil, parser.endOfInput() != nil, let exchange {
            self.exchange = nil
            exchange.succeed()
        }
        var retry: Exchange?
        if let exchange {
            self.exchange = nil
            if shouldRetry(exchange) {
                exchange.retried = true
                exchange.reset()
                retry = exchange
            } else {
                exchange.fail(failure(for: exchange))
            }
        }
        owner.closed(self, retrying: retry)
        context.fireChannelInactive()
    }

    /// A reused connection that closed before any byte of the answer: the server closed it while it was
    /// idle, as the request went out (the keep-alive race). The request is sent once more, on a new
    /// connection; never otherwise, since the function may have acted on it.
    private func shouldRetry(_ exchange: Exchange) -> Bool {
        requests > 1 && !parser.sawBytes && !exchange.retried
    }

    private func failure(for exchange: Exchange) -> ConnectionPoolError {
        if exchange.headReceived {
            return ConnectionPoolError(.interrupted, Self.describe(lastError, otherwise: "the connection closed before the body was complete"))
        }
        return ConnectionPoolError(.closed, Self.describe(lastError, otherwise: "the connection closed before an answer arrived"))
    }

    static func describe(_ error: (any Error)?, otherwise: String) -> String {
        error.map { String(describing: $0) } ?? otherwise
    }
}
