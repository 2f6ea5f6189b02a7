public import AsyncHTTPClient
public import Logging
public import ServiceLifecycle
import NIOCore

/// Owns the gateway's HTTP clients and shuts them down when the service group stops: the shared
/// `HTTPClient` (https function calls, OpenFaaS discovery, the result webhook) and the
/// ``ConnectionPool`` for plain http function calls.
///
/// Put it first in the service group: the group stops services in reverse order, so the clients
/// outlive everything that calls through them.
public struct HTTPClientService: Service {
    public let client: HTTPClient
    public let pool: ConnectionPool

    /// The client settings the gateway uses: no redirects (a POST must not turn into a GET somewhere
    /// else), no response decompression (bodies are passed on as received), up to 64 connections per
    /// host (functions allow 16 calls in flight by default, and several functions often share a
    /// gateway), and failed connections retried for up to 5 s (a function's own timeout still applies).
    public static var defaultConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)))
        configuration.decompression = .disabled
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return configuration
    }

    /// - Parameters:
    ///   - configuration: Client settings (default ``defaultConfiguration``).
    ///   - poolConfiguration: Connection pool settings (default 64 connections per host and event loop,
    ///     60 s idle timeout, 5 s connect timeout).
    ///   - logger: For the client's background activity.
    public init(configuration: HTTPClient.Configuration = defaultConfiguration, poolConfiguration: ConnectionPoolConfiguration = .init(), logger: Logger) {
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration, backgroundActivityLogger: logger)
        self.pool = ConnectionPool(configuration: poolConfiguration, eventLoopGroup: HTTPClient.defaultEventLoopGroup)
    }

    /// Waits for graceful shutdown (or cancellation), then shuts the clients down: idle connections
    /// close, calls in flight finish.
    public func run() async throws {
        try? await gracefulShutdown()
        await pool.shutdown()
        try await client.shutdown()
    }
}
