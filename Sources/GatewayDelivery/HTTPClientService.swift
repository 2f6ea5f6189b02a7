public import AsyncHTTPClient
public import Logging
public import ServiceLifecycle
import NIOCore

/// Owns the gateway's shared `HTTPClient` and shuts it down when the service group stops.
///
/// Put it first in the service group: the group stops services in reverse order, so the client
/// outlives everything that calls through it.
public struct HTTPClientService: Service {
    public let client: HTTPClient

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
    ///   - logger: For the client's background activity.
    public init(configuration: HTTPClient.Configuration = defaultConfiguration, logger: Logger) {
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration, backgroundActivityLogger: logger)
    }

    /// Waits for graceful shutdown (or cancellation), then shuts the client down.
    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
