import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 connection with an ``EventPostHandler`` right after the HTTP/1 decoder, and a
/// ``PostReader`` right before it.
///
/// Hummingbird places its configurable extra handlers after its conversion to HTTP types; the event
/// handler goes before it, to skip that conversion for the requests it answers. The reader reads plain
/// posts from bytes in the decoder's stead.
struct EventChannel: ServerChildChannel {
    let http: HTTP1Channel
    let makeHandler: @Sendable () -> EventPostHandler

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let handler = makeHandler()
            handler.wire = try pipeline.context(handlerType: HTTPResponseEncoder.self)
            try pipeline.addHandler(handler, position: .after(decoder))
            try pipeline.addHandler(PostReader(parts: try pipeline.context(handler: decoder)), position: .before(decoder))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with event posts answered by the handlers `makeHandler` makes, one per connection.
    static func events(_ makeHandler: @escaping @Sendable () -> EventPostHandler) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in EventChannel(http: HTTP1Channel(responder: responder), makeHandler: makeHandler) }
    }
}
