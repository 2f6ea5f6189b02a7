/// Why a ``SubscriptionMap`` could not be built: a function subscribes to a topic the configured
/// matching cannot take.
public struct SubscriptionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short, stable identifier of the failure, usable as a metric label.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// With wildcard matching, a subscribed topic is not a valid pattern.
        public static let invalidWildcard = Code(rawValue: "invalid_wildcard")
    }

    public var code: Code
    /// A sentence naming the function and the topic, and what is wrong.
    public var message: String
    /// The function's address.
    public var function: String
    /// The topic as subscribed.
    public var topic: String

    /// An error about `topic` of the function at address `function`.
    public init(_ code: Code, _ message: String, function: String, topic: String) {
        self.code = code
        self.message = message
        self.function = function
        self.topic = topic
    }

    public var description: String { message }
}
