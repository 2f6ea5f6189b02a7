public import GatewayCore

/// Why a pooled call got no complete answer.
public struct ConnectionPoolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short, stable identifier of the failure.
    public enum Code: String, Sendable, Hashable {
        /// The URL is not an absolute `http` URL with a host.
        case invalidURL = "invalid_url"
        /// No connection could be made (refused, unknown host, connect timeout).
        case connectFailed = "connect_failed"
        /// The connection closed or failed before the answer's head was complete.
        case closed
        /// The connection broke after the head, before the body was complete.
        case interrupted
        /// The body is larger than the caller's limit; the connection was closed.
        case responseTooLarge = "response_too_large"
        /// The caller was cancelled; the connection was closed.
        case cancelled
        /// The deadline passed before the answer was complete; the connection was closed.
        case timedOut = "timed_out"
        /// The pool was shut down.
        case shutDown = "shut_down"
    }

    public var code: Code
    /// What went wrong, in a few words (the cause's description where there is one).
    public var message: String
    /// The answer's status, when its head arrived.
    public var status: Int?
    /// The answer's header fields, when its head arrived.
    public var headers: [HeaderField]?

    public init(_ code: Code, _ message: String, status: Int? = nil, headers: [HeaderField]? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.headers = headers
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
