public import GatewayCore

/// Where ``OpenFaaSDiscovery`` looks for functions, how often, and what the functions it finds look like.
public struct OpenFaaSDiscoveryConfiguration: Sendable, Hashable {
    /// Basic auth for the gateway's `/system/*` API.
    public struct Credentials: Sendable, Hashable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    /// The settings of every discovered function (OpenFaaS annotations only give their topics).
    public struct FunctionDefaults: Sendable, Hashable {
        public var mode: InvocationMode
        public var body: BodyFormat
        public var contentType: String?
        public var headers: [HeaderField]
        public var timeout: Duration
        public var concurrency: Int
        public var callbackURL: String?

        /// - Parameters:
        ///   - mode: `sync` calls `/function/...`, `async` calls `/async-function/...` (default sync, as
        ///     the connector-sdk).
        ///   - body: What the functions receive (default the trigger's original body).
        ///   - contentType: Their `Content-Type` (default: the body format's).
        ///   - headers: Extra headers (default none).
        ///   - timeout: Per call (default ``FunctionSpec/defaultTimeout``).
        ///   - concurrency: Calls in flight per function (default ``FunctionSpec/defaultConcurrency``).
        ///   - callbackURL: `X-Callback-Url` for async calls (default: the gateway-wide one).
        public init(
            mode: InvocationMode = .sync, body: BodyFormat = .original, contentType: String? = nil, headers: [HeaderField] = [],
            timeout: Duration = FunctionSpec.defaultTimeout, concurrency: Int = FunctionSpec.defaultConcurrency, callbackURL: String? = nil
        ) {
            self.mode = mode
            self.body = body
            self.contentType = contentType
            self.headers = headers
            self.timeout = timeout
            self.concurrency = concurrency
            self.callbackURL = callbackURL
        }
    }

    /// The gateway's URL (`http://gateway.openfaas:8080`); a path prefix is kept for lookups and calls.
    public var gatewayURL: String
    public var credentials: Credentials?
    public var interval: Duration
    public var namespace: String?
    public var topicDelimiter: String?
    public var functionDefaults: FunctionDefaults
    public var requestTimeout: Duration

    /// - Parameters:
    ///   - gatewayURL: The gateway's URL.
    ///   - credentials: Basic auth sent on `/system/*` lookups, never on function calls (default none).
    ///   - interval: Time between rebuilds (default 30 s; at least 10 ms).
    ///   - namespace: Map only this namespace, skipping `/system/namespaces` (default: every namespace).
    ///   - topicDelimiter: Splits the `topic` annotation (default `,`); nil or empty: the whole trimmed
    ///     annotation is one topic.
    ///   - functionDefaults: Settings of the discovered functions.
    ///   - requestTimeout: Per lookup request (default 10 s).
    public init(
        gatewayURL: String, credentials: Credentials? = nil, interval: Duration = .seconds(30), namespace: String? = nil, topicDelimiter: String? = ",",
        functionDefaults: FunctionDefaults = .init(), requestTimeout: Duration = .seconds(10)
    ) {
        self.gatewayURL = gatewayURL
        self.credentials = credentials
        self.interval = interval
        self.namespace = namespace
        self.topicDelimiter = topicDelimiter
        self.functionDefaults = functionDefaults
        self.requestTimeout = requestTimeout
    }
}
