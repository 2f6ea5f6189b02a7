/// A problem in the configuration: where (`file:line:column`, or the environment variable) and what.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `gateway.yaml:3:9`, or `environment EVENT_GATEWAY_PORT`.
    public var location: String
    public var message: String

    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Every problem found in a configuration, in the order found.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigurationError]

    public init(_ errors: [ConfigurationError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
