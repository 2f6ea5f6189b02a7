import NIOCore
import NIOPosix

/// The pool's connections on one event loop: idle ones by host (the last returned is the first
/// reused), how many are open per host, and the calls waiting for one.
///
/// Everything here runs on `loop` and needs no lock (hence `@unchecked Sendable`: only the loop's
/// closures touch it). A call made on this loop, as the gateway's request handling is when NIO runs
/// Swift concurrency, never leaves its thread.
final class LoopConnections: @unchecked Sendable {
    let loop: any EventLoop
    private let configuration: ConnectionPoolConfiguration
    private var targets: [String: RequestTarget] = [:]
    private var idle: [ConnectionKey: [PooledConnection]] = [:]
    private var open: [ConnectionKey: Int] = [:]
    private var waiting: [ConnectionKey: CircularBuffer<Exchange>] = [:]
    private var sweeper: RepeatedTask?
    private var isShutDown = false

    /// At most this many parsed targets are kept; past it the cache starts over. Targets come from the
    /// route and function configuration, so this only bounds a pathological caller.
    private static let maxTargets = 1024

    init(loop: any EventLoop, configuration: ConnectionPoolConfiguration) {
        self.loop = loop
        self.configuration = configuration
    }

    /// Sends the exchange on an idle connection, a new one, or the next one freed.
    func start(_ exchange: Exchange, _ continuation: UnsafeContinuation<Exchange.Outcome, Never>) {
        guard exchange.begin(continuation, in: self) else { return }
        guard !isShutDown else {
            exchange.fail(ConnectionPoolError(.shutDown, "the HTTP connection pool is shut down"))
            return
        }
        guard let target = target(for: exchange.url) else {
            exchange.fail(ConnectionPoolError(.invalidURL, "not an absolute http URL with a host"))
            return
        }
        exchange.target = target
        if let connection = takeIdle(target.key) {
            connection.send(exchange, target: target)
        } else if open[target.key, default: 0] < configuration.maxConnectionsPerHost {
            connect(exchange, target)
        } else {
            exchange.phase = .waiting
            waiting[target.key, default: []].append(exchange)
        }
    }

    /// Takes back a connection whose answer is complete: the next waiting call gets it, else it idles.
    func release(_ connection: PooledConnection) {
        if let exchange = nextWaiting(connection.key), let target = exchange.target {
            connection.send(exchange, target: target)
        } else if isShutDown {
            connection.close()
        } else {
            connection.idleSince = .now()
            idle[connection.key, default: []].append(connection)
            startSweeping()
        }
    }

    /// Forgets a closed connection; its place goes to the exchange to retry, else to a waiting call.
    func closed(_ connection: PooledConnection, retrying exchange: Exchange?) {
        let key = connection.key
        open[key, default: 1] -= 1
        idle[key]?.removeAll { $0 === connection }
        if let exchange = exchange ?? nextWaiting(key), let target = exchange.target {
            connect(exchange, target)
        }
    }

    /// Removes a cancelled call from the waiting line.
    func stopWaiting(_ exchange: Exchange) {
        guard let key = exchange.target?.key, let index = waiting[key]?.firstIndex(where: { $0 === exchange }) else { return }
        waiting[key]?.remove(at: index)
    }

    /// Closes the idle connections and stops idling new ones; calls in flight and waiting finish.
    func shutdown() {
        isShutDown = true
        sweeper?.cancel()
        sweeper = nil
        for connections in idle.values {
            for connection in connections { connection.close() }
        }
        idle = [:]
    }

    private func target(for url: String) -> RequestTarget? {
        if let target = targets[url] { return target }
        guard let target = RequestTarget(url: url) else { return nil }
        if targets.count >= Self.maxTargets { targets.removeAll(keepingCapacity: true) }
        targets[url] = target
        return target
    }

    private func takeIdle(_ key: ConnectionKey) -> PooledConnection? {
        while let connection = idle[key]?.popLast() {
            if connection.isUsable { return connection }
        }
        return nil
    }

    private func nextWaiting(_ key: ConnectionKey) -> Exchange? {
        waiting[key]?.popFirst()
    }

    /// Opens a new connection for the exchange; when the exchange was cancelled meanwhile, the
    /// connection idles for the next call.
    private func connect(_ exchange: Exchange, _ target: RequestTarget) {
        let key = target.key
        open[key, default: 0] += 1
        exchange.phase = .connecting
        let connection = NIOLoopBound(PooledConnection(key: key, owner: self), eventLoop: loop)
        ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(connection.value)
                }
            }
            .connect(host: key.host, port: key.port)
            .whenComplete { result in
                switch result {
                case .success:
                    if exchange.isConnecting {
                        connection.value.send(exchange, target: target)
                    } else {
                        self.release(connection.value)
                    }
                case .failure(let error):
                    self.open[key, default: 1] -= 1
                    exchange.fail(ConnectionPoolError(.connectFailed, PooledConnection.describe(error, otherwise: "")))
                    // A waiting call to the same host makes its own attempt.
                    if let next = self.nextWaiting(key), let nextTarget = next.target { self.connect(next, nextTarget) }
                }
            }
    }

    /// Closes connections idle for longer than the idle timeout, checking every tenth of it.
    private func startSweeping() {
        guard sweeper == nil else { return }
        let interval = TimeAmount(configuration.idleTimeout / 10)
        sweeper = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in self.sweep() }
    }

    private func sweep() {
        let cutoff = NIODeadline.now() - TimeAmount(configuration.idleTimeout)
        for connections in idle.values {
            for connection in connections where connection.idleSince < cutoff { connection.close() }
        }
    }
}
