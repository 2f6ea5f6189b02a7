import GatewayCore
import GatewayDelivery
public import Hummingbird
public import Logging
import ServiceLifecycle

/// The running gateway: the HTTP ingress and every long-lived part, as Services of one group.
///
/// `run()` serves until SIGTERM or SIGINT, then stops accepting, finishes the requests and calls in
/// flight, hands the store's leases back and returns; queued calls resume on the next start (a durable
/// store). Tests build the application with ``makeApplication(onServerRunning:)`` and learn the port
/// from the callback (configure port 0).
public struct Gateway: Sendable {
    public let configuration: GatewayConfiguration
    let logger: Logger

    static let serverName = "event-gateway"

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
    /// Services start in this order and stop in the reverse one, after the HTTP server: the delivery
    /// worker finishes its calls, the result webhook flushes, the HTTP client closes, the queue's
    /// gauges stop, and the delivery store, last, releases the leases left and closes.
    ///
    /// - Parameter onServerRunning: Called with the bound port once the server listens.
    /// - Throws: ``ConfigurationError`` when the delivery store cannot be set up (no PostgreSQL server
    ///   given, a data directory that cannot be created).
    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws(ConfigurationError) -> some ApplicationProtocol {
        let logger = logger
        let client = HTTPClientService(logger: logger)
        let routes = RouteTableStore(directory: configuration.routesDirectory)
        let reload = RouteReloadService(store: routes, configuration: RouteReloadConfiguration(interval: configuration.reloadInterval), logger: logger)
        let discovery = configuration.openfaas.map { OpenFaaSDiscovery(configuration: $0.discoveryConfiguration, client: client.client, logger: logger) }
        let webhook = configuration.resultWebhook.map {
            WebhookReceiver(configuration: WebhookReceiver.Configuration(url: $0), client: client.client, logger: logger)
        }
        let receivers: [any ResultReceiver] = [MetricsReceiver()] + (webhook.map { [$0] } ?? [])
        let invoker = Invoker(
            client: client.client, pool: client.pool,
            configuration: InvokerConfiguration(
                sendTopic: configuration.sendTopic, callbackURL: configuration.callbackURL, maxResponseBytes: configuration.maxResponseBytes),
            receivers: receivers, logger: logger)
        let queue = try GatewayQueue(settings: configuration.store, logger: logger)
        let worker = DeliveryWorker(
            queue: queue.queue, invoker: invoker, configuration: .init(maxInFlight: configuration.workers, retry: configuration.retry), logger: logger)
        let subscriptions = SubscriptionStore(matching: configuration.topicMatching, discovery: discovery, logger: logger)
        let dispatcher = Dispatcher(routes: routes, subscriptions: subscriptions, invoker: invoker, queue: queue.queue)
        let router = Router()
        let ingress = Ingress(configuration: configuration, routes: routes, dispatcher: dispatcher, queue: queue, logger: logger)
        ingress.register(on: router)
        let maxBodyBytes = configuration.maxBodyBytes

        // The store first: it stops last, once the worker settled its calls.
        var services: [any Service] = queue.store.map { [$0, QueueMetrics(store: $0, logger: logger)] } ?? []
        services += [client, reload]
        if let discovery { services.append(discovery) }
        if let webhook { services.append(webhook) }
        services.append(worker)
        return Application(
            router: router,
            server: .events { EventPostHandler(maxBodyBytes: maxBodyBytes, serverName: Self.serverName) { await ingress.answer($0) } },
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: Self.serverName),
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("event-gateway listening", metadata: ["server.port": "\(port)", "delivery.store": "\(configuration.store.summary)"])
                await onServerRunning(port)
            },
            logger: logger
        )
    }
}

extension OpenFaaSSettings {
    var discoveryConfiguration: OpenFaaSDiscoveryConfiguration {
        OpenFaaSDiscoveryConfiguration(
            gatewayURL: gateway, credentials: username.map { .init(user: $0, password: password ?? "") }, interval: interval, namespace: namespace,
            topicDelimiter: topicDelimiter, functionDefaults: .init(mode: mode, body: body))
    }
}
