/// A function the gateway delivers to: where it runs, which topics it takes, and how it wants its events.
///
/// Declared under `functions:` in route files (see `docs/functions.md`) or discovered from an OpenFaaS
/// gateway's `topic` annotations.
public struct FunctionSpec: Sendable, Hashable {
    public var name: String
    /// Nil for functions without one (plain HTTP endpoints, OpenFaaS functions in no namespace).
    public var namespace: String?
    public var target: FunctionTarget
    /// The topics it subscribes to, as written (matched by the configured ``TopicMatching``).
    public var topics: [String]
    public var mode: InvocationMode
    public var body: BodyFormat
    /// Sent as the only `Content-Type` when set; otherwise the body format's own type.
    public var contentType: String?
    /// Extra request headers, in order.
    public var headers: [HeaderField]
    /// How long one call may take before it counts as timed out.
    public var timeout: Duration
    /// How many calls to this function may be in flight at once.
    public var concurrency: Int
    /// `X-Callback-Url` for async OpenFaaS calls; overrides the gateway-wide callback.
    public var callbackURL: String?
    /// How failed async calls are retried; unset settings take the gateway's defaults.
    public var retry: RetrySettings
    /// Where it was declared; nil for discovered functions.
    public var location: SourceLocation?

    public static let defaultTimeout = Duration.seconds(30)
    public static let defaultConcurrency = 16

    public init(
        name: String, namespace: String? = nil, target: FunctionTarget, topics: [String] = [], mode: InvocationMode = .async,
        body: BodyFormat = .original, contentType: String? = nil, headers: [HeaderField] = [], timeout: Duration = defaultTimeout,
        concurrency: Int = defaultConcurrency, callbackURL: String? = nil, retry: RetrySettings = RetrySettings(),
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.target = target
        self.topics = topics
        self.mode = mode
        self.body = body
        self.contentType = contentType
        self.headers = headers
        self.timeout = timeout
        self.concurrency = concurrency
        self.callbackURL = callbackURL
        self.retry = retry
        self.location = location
    }

    /// `name.namespace`, or `name` without a namespace: how functions are invoked by name.
    public var address: String {
        namespace.map { "\(name).\($0)" } ?? name
    }
}

/// Where a function runs.
public enum FunctionTarget: Sendable, Hashable {
    /// Any HTTP endpoint: the body is POSTed to the URL.
    case http(url: String)
    /// A function behind an OpenFaaS gateway: `POST {gateway}/function/NAME.NAMESPACE`, or
    /// `/async-function/...` in async mode.
    case openfaas(gateway: String)
    /// A CloudEvents sink: each envelope POSTed in binary mode.
    case cloudevents(sink: String)
    /// No call: the gateway logs what it would deliver (the default set-up's target).
    case log
}

/// Whether the gateway waits for the function's answer while the trigger's request is open.
public enum InvocationMode: String, Sendable, Hashable, CaseIterable {
    /// Called while the request waits; its answer is reported (and, for APIG, returned).
    case sync
    /// Queued; the request is answered 202 once the event is accepted.
    case async
}

/// What a function receives.
public enum BodyFormat: String, Sendable, Hashable, CaseIterable {
    /// The trigger's request body, byte for byte: what a FunctionGraph or Yandex function expects.
    case original
    /// Each envelope as a structured CloudEvent (`application/cloudevents+json`).
    case cloudevent
    /// Each envelope as a binary-mode CloudEvent: `ce-*` headers, the data as the body.
    case binary
    /// For a batch, one call carrying only the messages the function subscribed to, in the batch's own
    /// container (the extremum model); the original body for other events.
    case grouped

    /// Whether each envelope is a call of its own (a CloudEvent carries one event), rather than one
    /// call per request carrying every envelope the function takes.
    public var isPerEnvelope: Bool {
        self == .cloudevent || self == .binary
    }
}

/// One HTTP header field.
public struct HeaderField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// How a routed topic is compared with the topics functions subscribe to.
public enum TopicMatching: String, Sendable, Hashable, CaseIterable {
    /// Byte-for-byte equality (the connector-sdk's behaviour).
    case exact
    /// Equality after Unicode case folding.
    case ignoreCase = "ignore-case"
    /// The subscribed topic is a wildcard pattern (`orders.*`), as in route files.
    case wildcard
}
