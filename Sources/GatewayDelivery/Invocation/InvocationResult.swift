public import GatewayCore

/// What came of one invocation: the function's answer, or why there was none.
///
/// Every invocation yields exactly one result, failures included; an event whose topics no function
/// subscribes to yields a ``noSubscribers(topics:envelopeIDs:)`` result. Results go to the invoker's
/// ``ResultReceiver``s.
public struct InvocationResult: Sendable, Hashable {
    /// How the invocation ended, in one word (also a metric label).
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        /// The function answered 2xx (or the `log` target logged the request).
        case delivered
        /// The function answered, with a status outside 2xx.
        case functionError = "function_error"
        /// No usable answer: see ``InvocationResult/error``.
        case failed
        /// No function subscribes to the event's topics; nothing was called.
        case noSubscribers = "no_subscribers"
    }

    /// The invocation's id; nil for a no-subscribers result.
    public var invocationID: String?
    /// The function's address (`name.namespace`); nil for a no-subscribers result.
    public var function: String?
    public var topics: [String]
    public var envelopeIDs: [String]
    /// Where the request went: the URL, `log` for the log target, nil when none was built.
    public var url: String?
    /// The HTTP status; nil when no answer arrived.
    public var status: Int?
    /// The answer's header fields, in order.
    public var headers: [HeaderField]
    /// The answer's body (empty when there was none or it was too large).
    public var body: [UInt8]
    /// From the start of the invocation (including any wait for a free slot) to its result.
    public var duration: Duration
    public var error: InvocationError?

    public init(
        invocationID: String?, function: String?, topics: [String], envelopeIDs: [String], url: String? = nil, status: Int? = nil,
        headers: [HeaderField] = [], body: [UInt8] = [], duration: Duration = .zero, error: InvocationError? = nil
    ) {
        self.invocationID = invocationID
        self.function = function
        self.topics = topics
        self.envelopeIDs = envelopeIDs
        self.url = url
        self.status = status
        self.headers = headers
        self.body = body
        self.duration = duration
        self.error = error
    }

    /// The result for events whose topics no function subscribes to.
    ///
    /// - Parameters:
    ///   - topics: The topics the events were routed to (empty when no route matched).
    ///   - envelopeIDs: The events' ids.
    public static func noSubscribers(topics: [String], envelopeIDs: [String]) -> InvocationResult {
        InvocationResult(invocationID: nil, function: nil, topics: topics, envelopeIDs: envelopeIDs)
    }

    public var outcome: Outcome {
        if error != nil { return .failed }
        guard function != nil else { return .noSubscribers }
        guard let status else { return .failed }
        return (200..<300).contains(status) ? .delivered : .functionError
    }

    /// The first value of response header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
