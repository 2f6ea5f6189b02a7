/// Why an invocation got no usable answer from its function.
///
/// A function that answers with an error status is not an ``InvocationError``: the status and body are
/// in the result, whose ``InvocationResult/outcome`` is ``InvocationResult/Outcome/functionError``.
public struct InvocationError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// A short, stable identifier of the failure, usable as a metric label.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// No connection, or the connection failed before an answer arrived.
        case unreachable
        /// The function's timeout passed (waiting for a free slot or for the answer); the request was cancelled.
        case timeout
        /// The caller cancelled the invocation (shutdown, a client that went away).
        case cancelled
        /// The function's target is unusable: not an absolute http(s) URL.
        case invalidTarget = "invalid_target"
        /// The invocation cannot be sent in the function's format (no body for `original`, several
        /// envelopes for a one-event format).
        case invalidInvocation = "invalid_invocation"
        /// The answer's body is larger than the configured limit.
        case responseTooLarge = "response_too_large"
        /// The answer started but broke off before its body was complete.
        case interrupted
    }

    public var code: Code
    /// A sentence saying what went wrong, naming the function or URL.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
