import GatewayCore
import HTTPTypes
import NIOCore
import NIOHTTP1

/// Answers event posts (`POST /` and `POST /events/{dialect}`) on the connection itself, the rest going
/// on to the router.
///
/// Hummingbird's request path (an async channel, a task per connection reading parts and writing the
/// answer through an async writer, the router, the request context and its logger) cost about as much
/// as normalizing, matching and delivering the event together. Here one post costs one task: the
/// handler gathers the body on the event loop, runs ``Ingress/answer(_:)`` in a task, and writes the
/// answer back on the loop.
///
/// It sits in each connection's pipeline right after the HTTP/1 decoder, before Hummingbird's
/// conversion to HTTP types (which parses every request target with `URLComponents`), so it reads
/// NIO's request parts; it writes each answer as finished bytes
/// (``Answer/http1(date:server:closing:allocator:)``). HTTP/1.1 answers go out in request order, so it
/// only takes a post when no request it passed on is still unanswered; parts arriving while it answers
/// wait (and then reading from the socket stops too), and go on once the answer is written.
/// A graceful shutdown that comes while it answers waits for the answer too.
final class EventPostHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    typealias Responder = @Sendable (IncomingEvent) async -> Answer

    private let responder: Responder
    private let maxBodyBytes: Int
    private let serverName: String

    /// The post being read.
    private var post: Post?
    /// A post's answer is being computed.
    private var isAnswering = false
    /// Requests passed on whose answers have not ended yet.
    private var passedOn = 0
    /// Parts that arrived while a post was answered, in order.
    private var held: [HTTPServerRequestPart] = []
    private var readHeld = false
    private var quiesceHeld = false
    /// A parse error that came while a post was answered: the router's side answers it (400) after.
    private var errorHeld: (any Error)?
    /// Where answers are written as finished bytes: the context of NIO's response encoder, which
    /// passes them straight to the socket (requests passed on are still answered through the encoder).
    /// Nil once the handler is removed: an answer that comes late has nowhere to go.
    var wire: ChannelHandlerContext?
    private var date = ResponseDate()

    init(maxBodyBytes: Int, serverName: String, responder: @escaping Responder) {
        self.maxBodyBytes = maxBodyBytes
        self.serverName = serverName
        self.responder = responder
    }

    /// An event post being read.
    private struct Post {
        var head: HTTPRequestHead
        var dialect: String?
        var body: ByteBuffer
        /// Over the body limit: the rest is read and dropped, and the answer is 413.
        var isTooLarge: Bool

        mutating func append(_ buffer: inout ByteBuffer, limit: Int) {
            guard !isTooLarge, body.readableBytes + buffer.readableBytes <= limit else {
                isTooLarge = true
                body.clear()
                return
            }
            body.writeBuffer(&buffer)
        }
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard !isAnswering else {
            held.append(part)
            return
        }
        take(part, context: context)
    }

    private func take(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            guard passedOn == 0, let dialect = Self.eventPost(head) else {
                passedOn += 1
                context.fireChannelRead(wrapInboundOut(part))
                return
            }
            let declared = head.headers.first(name: "content-length").flatMap(Int.init) ?? 0
            post = Post(
                head: head, dialect: dialect.isEmpty ? nil : dialect, body: context.channel.allocator.buffer(capacity: min(max(declared, 0), maxBodyBytes)),
                isTooLarge: declared > maxBodyBytes)
            // A client that waits to be told to send its body (curl does for large ones) waits a second otherwise.
            if declared <= maxBodyBytes, head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
            }
        case .body(var buffer):
            guard post != nil else { return context.fireChannelRead(wrapInboundOut(part)) }
            post?.append(&buffer, limit: maxBodyBytes)
        case .end:
            guard let post else { return context.fireChannelRead(wrapInboundOut(part)) }
            self.post = nil
            answer(post, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, isAnswering || post != nil {
            quiesceHeld = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard isAnswering else {
            // A post cut short by bad bytes has no answer of its own: the router's side gives the 400.
            post = nil
            return context.fireErrorCaught(error)
        }
        errorHeld = error
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { passedOn -= 1 }
        context.write(data, promise: promise)
    }

    func read(context: ChannelHandlerContext) {
        // Reading goes on while a post is answered until something arrives to be held: stopping at once
        // cost two `epoll_ctl` calls per post (interest off, then on again), though a client rarely
        // sends more before its answer.
        guard !isAnswering || held.isEmpty else {
            readHeld = true
            return
        }
        context.read()
    }

    // MARK: Answering

    private func answer(_ post: Post, context: ChannelHandlerContext) {
        isAnswering = true
        let closing = Self.closes(post.head)
        if post.isTooLarge {
            return finish(GatewayHTTPError.bodyTooLarge(limit: maxBodyBytes).answer, closing: closing, context: context)
        }
        let event = IncomingEvent(head: post.head, body: Array(post.body.readableBytesView), dialect: post.dialect)
        let responder = responder
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        Task {
            let answer = await responder(event)
            // With NIO as Swift concurrency's executor (as `serve` runs), the task ran on this loop.
            if loop.inEventLoop {
                bound.value.0.finish(answer, closing: closing, context: bound.value.1)
            } else {
                loop.execute { bound.value.0.finish(answer, closing: closing, context: bound.value.1) }
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        wire = nil
    }

    private func finish(_ answer: Answer, closing: Bool, context: ChannelHandlerContext) {
        guard let wire else { return }
        let bytes = answer.http1(date: date.now(), server: serverName, closing: closing, allocator: context.channel.allocator)
        isAnswering = false
        guard !closing, !quiesceHeld else {
            let written = context.eventLoop.makePromise(of: Void.self)
            wire.writeAndFlush(NIOAny(bytes), promise: written)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
            held.removeAll()
            return
        }
        wire.writeAndFlush(NIOAny(bytes), promise: nil)
        if let error = errorHeld {
            // What came after the post could not be read: nothing more is taken.
            errorHeld = nil
            held.removeAll()
            return context.fireErrorCaught(error)
        }
        guard !held.isEmpty else { return readHeldIfIdle(context: context) }
        while !isAnswering, !held.isEmpty {
            take(held.removeFirst(), context: context)
        }
        // What was passed on reaches the router's side only with a read-complete.
        context.fireChannelReadComplete()
        readHeldIfIdle(context: context)
    }

    private func readHeldIfIdle(context: ChannelHandlerContext) {
        if !isAnswering, readHeld {
            readHeld = false
            context.read()
        }
    }

    // MARK: Requests

    /// The dialect an event post names ("" for none), or nil when `head` is not an event post.
    static func eventPost(_ head: HTTPRequestHead) -> String? {
        guard head.method == .POST else { return nil }
        let target = head.uri
        let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target[...]
        if path == "/" { return "" }
        let prefix = "/events/"
        guard path.hasPrefix(prefix) else { return nil }
        let dialect = path.dropFirst(prefix.count)
        // Anything unusual (escapes, more segments) is left to the router's own rules.
        guard !dialect.isEmpty, dialect.utf8.allSatisfy(Self.isPlainNameByte) else { return nil }
        return String(dialect)
    }

    private static func isPlainNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    /// Whether the client asked for the connection to close after this answer.
    static func closes(_ head: HTTPRequestHead) -> Bool {
        !head.isKeepAlive
    }
}
