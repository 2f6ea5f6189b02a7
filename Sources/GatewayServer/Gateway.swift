public import Hummingbird
public import Logging
import ServiceLifecycle

/// The running gateway: the HTTP ingress and every long-lived part, as Services of one group.
///
/// `run()` serves until SIGTERM or SIGINT, then stops accepting, finishes the calls in flight and
/// returns. Tests build the application with ``makeApplication(onServerRunning:)`` and learn the port
/// from the callback (configure port 0).
public struct Gateway: Sendable {
    public let configuration: GatewayConfiguration
    let logger: Logger

    public init(configuration: GatewayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until a termination signal.
    public func run() async throws {
        try await makeApplication().runService()
    }

    /// The application and its services.
    ///
    /// - Parameter onServerRunning: Called with the bound port once the server listens.
    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let routes = RouteTableStore(directory: configuration.routesDirectory)
        let reload = RouteReloadService(
            store: routes, configuration: RouteReloadConfiguration(interval: configuration.reloadInterval), logger: logger)
        let ingress = Ingress(configuration: configuration, routes: routes, logger: logger)
        let router = Router()
        ingress.register(on: router)
        let logger = logger
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "event-gateway"),
            services: [reload],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("event-gateway listening", metadata: ["server.port": "\(port)"])
                await onServerRunning(port)
            },
            logger: logger
        )
    }
}
