/// A function's own retry settings (`retry:` in a function declaration); each one left nil takes the
/// gateway's default.
///
/// The delivery module turns them into a retry policy; they live here so that route files can declare
/// them without the core knowing how delivery works.
public struct RetrySettings: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int?
    /// How long after it was accepted an event may still be tried.
    public var maxAge: Duration?
    /// The backoff's base: the longest delay after the first failure.
    public var backoff: Duration?
    /// The backoff's cap.
    public var maxBackoff: Duration?
    /// The longest `Retry-After` honoured.
    public var maxRetryAfter: Duration?

    public init(maxAttempts: Int? = nil, maxAge: Duration? = nil, backoff: Duration? = nil, maxBackoff: Duration? = nil, maxRetryAfter: Duration? = nil) {
        self.maxAttempts = maxAttempts
        self.maxAge = maxAge
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// Whether every setting is left to the defaults.
    public var isEmpty: Bool { self == RetrySettings() }
}
