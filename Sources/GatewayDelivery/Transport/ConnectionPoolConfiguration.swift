/// Settings of a ``ConnectionPool``.
public struct ConnectionPoolConfiguration: Sendable, Hashable {
    /// The most connections open to one host and port from one event loop.
    public var maxConnectionsPerHost: Int
    /// How long a connection may stay unused before the pool closes it.
    public var idleTimeout: Duration
    /// How long establishing a connection may take.
    public var connectTimeout: Duration

    /// - Parameters:
    ///   - maxConnectionsPerHost: Connections to one host and port per event loop (default 64, the
    ///     AsyncHTTPClient limit the gateway used before: functions allow 16 calls in flight by default
    ///     and several functions often share a gateway). Further calls wait for a free connection.
    ///   - idleTimeout: Idle connections are closed after this long (default 60 s; checked every few
    ///     seconds, so a connection may live up to a tenth longer).
    ///   - connectTimeout: Time allowed to connect (default 5 s, as the gateway's AsyncHTTPClient).
    public init(maxConnectionsPerHost: Int = 64, idleTimeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(5)) {
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
    }
}
