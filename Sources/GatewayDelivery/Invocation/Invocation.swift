public import GatewayCore

/// One call to make: a function, the envelopes it gets, and what to send them with.
///
/// The server builds invocations from the routed envelopes and the functions subscribed to their topics
/// (``deliveries(to:topics:envelopes:payload:headers:)`` splits them the way the function's format
/// needs); the ``Invoker`` turns each into an HTTP request. Invocations are `Codable` so that a durable
/// queue can store them.
public struct Invocation: Sendable, Hashable {
    /// The trigger's body and its content type: what `original` and `grouped` functions receive.
    public struct Payload: Sendable, Hashable {
        public var bytes: [UInt8]
        /// The trigger's `Content-Type`; nil when it sent none.
        public var contentType: String?

        public init(bytes: [UInt8], contentType: String?) {
            self.bytes = bytes
            self.contentType = contentType
        }
    }

    /// Identifies the invocation in results, logs and queues; derived from its content unless given.
    public var id: String
    public var function: FunctionSpec
    /// The topics that led to this function; the first is sent as `X-Topic`. Empty for calls by name.
    public var topics: [String]
    /// The events delivered: one for the `cloudevent` and `binary` formats and for `cloudevents`
    /// targets, any number otherwise.
    public var envelopes: [Envelope]
    /// The body for `original` and `grouped` functions (for `grouped`, the batch already cut down to the
    /// function's messages); unused by the CloudEvents formats.
    public var payload: Payload?
    /// Headers for this call only (source metadata such as `X-Kafka-Partition`). `Content-Type`,
    /// `Authorization` and connection headers among them are ignored: the invoker sets the first, never
    /// forwards the second, and the HTTP client owns the rest.
    public var headers: [HeaderField]

    /// - Parameters:
    ///   - function: The function to call.
    ///   - topics: The topics it was matched on, the first sent as `X-Topic`.
    ///   - envelopes: The events it gets.
    ///   - payload: The body for `original` and `grouped` functions.
    ///   - headers: Extra headers for this call.
    ///   - id: An id; by default a hash of the function's address, the topics and the envelopes'
    ///     sources and ids, so that the same delivery always has the same id.
    public init(
        function: FunctionSpec, topics: [String], envelopes: [Envelope], payload: Payload? = nil, headers: [HeaderField] = [], id: String? = nil
    ) {
        self.function = function
        self.topics = topics
        self.envelopes = envelopes
        self.payload = payload
        self.headers = headers
        self.id = id ?? Self.stableID(function: function, topics: topics, envelopes: envelopes)
    }

    /// The invocations that deliver `envelopes` to `function`: one per envelope when the function takes
    /// one event per request (the `cloudevent` and `binary` formats, every `cloudevents` target), a
    /// single one carrying them all otherwise.
    public static func deliveries(
        to function: FunctionSpec, topics: [String], envelopes: [Envelope], payload: Payload? = nil, headers: [HeaderField] = []
    ) -> [Invocation] {
        guard function.deliveredFormat.carriesOneEvent else {
            return [Invocation(function: function, topics: topics, envelopes: envelopes, payload: payload, headers: headers)]
        }
        return envelopes.map { Invocation(function: function, topics: topics, envelopes: [$0], payload: payload, headers: headers) }
    }

    /// The envelopes' ids, in order.
    public var envelopeIDs: [String] { envelopes.map(\.id) }

    private static func stableID(function: FunctionSpec, topics: [String], envelopes: [Envelope]) -> String {
        var parts: [StableIDPart] = [.text("invocation"), .text(function.address), .number(topics.count)]
        parts += topics.map { .text($0) }
        for envelope in envelopes { parts += [.text(envelope.source), .text(envelope.id)] }
        return StableID.make(parts)
    }
}

extension FunctionSpec {
    /// The format actually sent: a `cloudevents` sink gets binary mode unless it asked for structured
    /// CloudEvents.
    var deliveredFormat: BodyFormat {
        if case .cloudevents = target, body != .cloudevent { return .binary }
        return body
    }
}

extension BodyFormat {
    /// Whether one request carries exactly one event.
    var carriesOneEvent: Bool { self == .cloudevent || self == .binary }
}
