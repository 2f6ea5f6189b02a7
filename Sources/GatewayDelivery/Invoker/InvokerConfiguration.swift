/// Gateway-wide settings of the ``Invoker``.
public struct InvokerConfiguration: Sendable, Hashable {
    /// Whether requests carry `X-Topic` with the first topic.
    public var sendTopic: Bool
    /// `X-Callback-Url` for async OpenFaaS calls whose function sets none.
    public var callbackURL: String?
    /// The `User-Agent` header.
    public var userAgent: String
    /// The `X-Connector` header: which connector made the call.
    public var connector: String
    /// The largest response body kept; a larger one fails the invocation with `response_too_large`.
    public var maxResponseBytes: Int
    /// How much of the body the `log` target shows.
    public var logPreviewBytes: Int

    /// The default `maxResponseBytes`: 6 MiB, the same as the gateway's default request body limit.
    public static let defaultMaxResponseBytes = 6 << 20

    /// - Parameters:
    ///   - sendTopic: Send `X-Topic` (default true; the connector-sdk always sends it).
    ///   - callbackURL: Gateway-wide `X-Callback-Url` for async OpenFaaS calls (default none; a
    ///     function's own `callback_url` wins).
    ///   - userAgent: `User-Agent` (default `event-gateway`).
    ///   - connector: `X-Connector` (default `event-gateway`).
    ///   - maxResponseBytes: Response body limit (default 6 MiB).
    ///   - logPreviewBytes: Body bytes the `log` target prints (default 256).
    public init(
        sendTopic: Bool = true, callbackURL: String? = nil, userAgent: String = "event-gateway", connector: String = "event-gateway",
        maxResponseBytes: Int = defaultMaxResponseBytes, logPreviewBytes: Int = 256
    ) {
        self.sendTopic = sendTopic
        self.callbackURL = callbackURL
        self.userAgent = userAgent
        self.connector = connector
        self.maxResponseBytes = maxResponseBytes
        self.logPreviewBytes = logPreviewBytes
    }
}
