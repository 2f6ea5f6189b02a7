public import GatewayCore
public import GatewayDelivery

/// Everything `event-gateway serve` can be told, with a default for every field.
///
/// Read from a YAML file (``GatewayConfiguration/init(yaml:file:)``), then environment variables
/// (``applyEnvironment(_:)``), then command-line flags: each later source overrides the earlier ones.
public struct GatewayConfiguration: Sendable, Equatable {
    /// Interface to listen on (default `127.0.0.1`; `0.0.0.0` for every interface).
    public var host: String
    /// Port to listen on (default 8080; 0 picks a free one).
    public var port: Int
    /// Largest request body accepted, in bytes (default 6 MiB); larger ones get 413.
    public var maxBodyBytes: Int
    /// The routes folder: route files and function declarations (default `routes`).
    public var routesDirectory: String
    /// How often the routes folder is checked for changes (default 500 ms).
    public var reloadInterval: Duration
    /// How delivered topics are compared with subscribed topics (default exact).
    public var topicMatching: TopicMatching
    /// Whether calls carry `X-Topic` (default true).
    public var sendTopic: Bool
    /// `X-Callback-Url` for async OpenFaaS calls, unless a function sets its own (default none).
    public var callbackURL: String?
    /// Where every invocation result is also POSTed as JSON (default none).
    public var resultWebhook: String?
    /// Largest function response kept, in bytes (default 6 MiB).
    public var maxResponseBytes: Int
    /// Async calls in flight at once across all functions (default 64).
    public var workers: Int
    /// Where async calls wait, and the queue's bounds (default: SQLite under `data/`).
    public var store: StoreSettings
    /// How failed async calls are retried, unless a function sets its own `retry:` (defaults: 5 attempts
    /// within 1 hour, backoff from 1 s to 60 s with full jitter, `Retry-After` honoured up to 5 minutes).
    public var retry: RetryPolicy
    /// OpenFaaS discovery; nil when no gateway is configured.
    public var openfaas: OpenFaaSSettings?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 6 * 1024 * 1024, routesDirectory: String = "routes",
        reloadInterval: Duration = .milliseconds(500), topicMatching: TopicMatching = .exact, sendTopic: Bool = true,
        callbackURL: String? = nil, resultWebhook: String? = nil, maxResponseBytes: Int = 6 * 1024 * 1024, workers: Int = 64,
        store: StoreSettings = StoreSettings(), retry: RetryPolicy = RetryPolicy(), openfaas: OpenFaaSSettings? = nil
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.routesDirectory = routesDirectory
        self.reloadInterval = reloadInterval
        self.topicMatching = topicMatching
        self.sendTopic = sendTopic
        self.callbackURL = callbackURL
        self.resultWebhook = resultWebhook
        self.maxResponseBytes = maxResponseBytes
        self.workers = workers
        self.store = store
        self.retry = retry
        self.openfaas = openfaas
    }
}

/// How functions are discovered on an OpenFaaS gateway (the connector-sdk's topic map).
public struct OpenFaaSSettings: Sendable, Equatable {
    /// The gateway's URL (`http://gateway.openfaas:8080`).
    public var gateway: String
    /// Basic-auth user and password for the `/system/*` lookups (never sent on invocations).
    public var username: String?
    public var password: String?
    /// How often the function list is rebuilt (default 30 s).
    public var interval: Duration
    /// Map only this namespace (default: every namespace).
    public var namespace: String?
    /// Splits the `topic` annotation (default `,`; empty: the whole value is one topic).
    public var topicDelimiter: String
    /// How discovered functions are called (default sync, through `/function/`, as the connector-sdk does).
    public var mode: InvocationMode
    /// What discovered functions receive (default the original body).
    public var body: BodyFormat

    public init(
        gateway: String, username: String? = nil, password: String? = nil, interval: Duration = .seconds(30), namespace: String? = nil,
        topicDelimiter: String = ",", mode: InvocationMode = .sync, body: BodyFormat = .original
    ) {
        self.gateway = gateway
        self.username = username
        self.password = password
        self.interval = interval
        self.namespace = namespace
        self.topicDelimiter = topicDelimiter
        self.mode = mode
        self.body = body
    }
}
