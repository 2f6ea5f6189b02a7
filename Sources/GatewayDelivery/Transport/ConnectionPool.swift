public import GatewayCore
public import NIOCore
public import NIOPosix
import Synchronization

/// A keep-alive HTTP/1.1 client for plain `http` URLs: POSTs a request and reads the whole answer.
///
/// Each event loop of the group has its own connections, so a call made on an event loop (as the
/// gateway's request handlers are, with NIO as Swift concurrency's executor) is served on that thread
/// without a lock or a thread hop; calls from elsewhere go to the next loop of the group. Per loop and
/// host, idle connections are reused last-returned first, at most
/// ``ConnectionPoolConfiguration/maxConnectionsPerHost`` are open (further calls wait for one), and
/// connections idle for ``ConnectionPoolConfiguration/idleTimeout`` or closed by the server are dropped.
///
/// A request that meets a reused connection the server had closed (no byte of an answer came back)
/// is sent once more on a new connection. A cancelled call closes its connection. Dropping the pool
/// or ``shutdown()`` closes the idle connections; calls in flight finish.
public final class ConnectionPool: Sendable {
    public let configuration: ConnectionPoolConfiguration
    private let group: any EventLoopGroup
    /// Filled once in `init`, read-only afterwards.
    private let loops: [ObjectIdentifier: LoopConnections]
    private let isShutDown = Atomic(false)

    /// - Parameters:
    ///   - configuration: Connection limits and timeouts.
    ///   - eventLoopGroup: Where connections live (default NIO's shared group, the one the gateway's
    ///     server and Swift concurrency run on).
    public init(configuration: ConnectionPoolConfiguration = .init(), eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = eventLoopGroup
        var loops: [ObjectIdentifier: LoopConnections] = [:]
        for loop in eventLoopGroup.makeIterator() {
            loops[ObjectIdentifier(loop)] = LoopConnections(loop: loop, configuration: configuration)
        }
        self.loops = loops
    }

    deinit {
        if !isShutDown.load(ordering: .relaxed) {
            for connections in loops.values { connections.loop.execute { connections.shutdown() } }
        }
    }

    /// POSTs `body` to `url` and reads the answer.
    ///
    /// The request carries `Host`, the header fields in order, and `Content-Length`; the answer's body
    /// may come with a length, chunked, or up to the connection's end. Informational (1xx) answers are
    /// skipped.
    ///
    /// - Parameters:
    ///   - url: An absolute `http` URL.
    ///   - headers: Header fields, without `Host`, `Content-Length`, `Transfer-Encoding` or `Connection`.
    ///   - body: The request body.
    ///   - maxResponseBytes: The largest answer body accepted.
    ///   - deadline: When to give up (closing the connection) if the answer is not complete; none by
    ///     default. Cheaper than a timeout around the call: the event loop's timer, not a task's.
    /// - Returns: The complete answer, whatever its status.
    /// - Throws: ``ConnectionPoolError``, with the status and headers when the answer's head arrived.
    public func post(
        url: String, headers: [HeaderField], body: [UInt8], maxResponseBytes: Int, deadline: NIODeadline? = nil
    ) async throws(ConnectionPoolError) -> HTTP1Response {
        if Task.isCancelled { throw Exchange.cancellation }
        let connections = currentConnections()
        let exchange = Exchange(url: url, headers: headers, body: body, maxResponseBytes: maxResponseBytes, deadline: deadline)
        let outcome = await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                if connections.loop.inEventLoop {
                    connections.start(exchange, continuation)
                } else {
                    connections.loop.execute { connections.start(exchange, continuation) }
                }
            }
        } onCancel: {
            connections.loop.execute { exchange.cancel(in: connections) }
        }
        return try outcome.get()
    }

    /// Closes the idle connections and keeps new ones from idling; calls in flight finish. Later calls
    /// fail with ``ConnectionPoolError/Code/shutDown``.
    public func shutdown() async {
        isShutDown.store(true, ordering: .relaxed)
        for connections in loops.values {
            try? await connections.loop.submit { connections.shutdown() }.get()
        }
    }

    /// The connections of the calling thread's event loop, else of the group's next loop.
    private func currentConnections() -> LoopConnections {
        if let loop = MultiThreadedEventLoopGroup.currentEventLoop, let connections = loops[ObjectIdentifier(loop)] {
            return connections
        }
        let loop = group.next()
        guard let connections = loops[ObjectIdentifier(loop)] else {
            preconditionFailure("the event loop group returned a loop it did not list")
        }
        return connections
    }
}
