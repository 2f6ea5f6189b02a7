import Foundation

/// When a failed queued invocation is tried again.
///
/// Retried: failures without an answer (unreachable, timeout, interrupted, cancelled) and answers 408,
/// 425, 429 and 5xx. Not retried: other statuses (the function refused the event; retrying would not
/// help), invalid targets and invocations, responses that were too large. The delay doubles from
/// ``initialDelay`` up to ``maxDelay``; a `Retry-After` header in seconds is honoured up to ``maxDelay``.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; 1 means no retries.
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration

    /// - Parameters:
    ///   - maxAttempts: Attempts in all (default 3).
    ///   - initialDelay: Delay after the first failure (default 1 s).
    ///   - maxDelay: Longest delay (default 60 s).
    public init(maxAttempts: Int = 3, initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// No retries: every failure is final.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The delay before the next attempt, or nil when `result` is final.
    ///
    /// - Parameters:
    ///   - result: The failed attempt's result.
    ///   - attempt: Its number, from 1.
    public func delay(after result: InvocationResult, attempt: Int) -> Duration? {
        guard attempt < maxAttempts, Self.isRetryable(result) else { return nil }
        var delay = initialDelay
        for _ in 1..<attempt where delay < maxDelay { delay *= 2 }
        if let retryAfter = result.header("Retry-After").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), retryAfter >= 0 {
            delay = max(delay, .seconds(retryAfter))
        }
        return min(delay, maxDelay)
    }

    static func isRetryable(_ result: InvocationResult) -> Bool {
        switch result.outcome {
        case .delivered, .noSubscribers: return false
        case .failed:
            switch result.error?.code {
            case .unreachable, .timeout, .interrupted, .cancelled: return true
            case .invalidTarget, .invalidInvocation, .responseTooLarge, nil: return false
            }
        case .functionError:
            guard let status = result.status else { return false }
            return status == 408 || status == 425 || status == 429 || status >= 500
        }
    }
}
