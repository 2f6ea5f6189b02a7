public import Foundation
public import GatewayCore

/// When a failed queued invocation is tried again, and when it becomes a dead letter.
///
/// Classification: a 2xx answer is delivered; 404, 408, 409, 425, 429, 5xx, timeouts and connection
/// failures are retried; any other answer (the function refused the event: retrying would not help),
/// an invalid target or invocation and a too large response are terminal and dead-lettered at once.
///
/// Delays: capped exponential backoff with full jitter, a random delay in
/// `[0, min(maxBackoff, backoff * 2^(attempt - 1))]`; a `Retry-After` answer (seconds or an HTTP date)
/// replaces it, honoured up to ``maxRetryAfter``. An invocation is dead-lettered after ``maxAttempts``
/// attempts, or when its next attempt would come later than ``maxAge`` after it was accepted.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; 1 means no retries.
    public var maxAttempts: Int
    /// How long after it was accepted an invocation may still be tried.
    public var maxAge: Duration
    /// The backoff's base: the longest delay after the first failure.
    public var backoff: Duration
    /// The backoff's cap.
    public var maxBackoff: Duration
    /// The longest `Retry-After` honoured.
    public var maxRetryAfter: Duration

    /// - Parameters:
    ///   - maxAttempts: Attempts in all (default 5).
    ///   - maxAge: Longest time from acceptance to the last attempt (default 1 hour).
    ///   - backoff: Base of the backoff (default 1 s).
    ///   - maxBackoff: Cap of the backoff (default 60 s).
    ///   - maxRetryAfter: Longest `Retry-After` honoured (default 5 minutes).
    public init(
        maxAttempts: Int = 5, maxAge: Duration = .seconds(3600), backoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(60),
        maxRetryAfter: Duration = .seconds(300)
    ) {
        self.maxAttempts = maxAttempts
        self.maxAge = maxAge
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// No retries: every failure is final.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// This policy with a function's own settings in place of the defaults they set.
    public func applying(_ settings: RetrySettings) -> RetryPolicy {
        RetryPolicy(
            maxAttempts: settings.maxAttempts ?? maxAttempts, maxAge: settings.maxAge ?? maxAge, backoff: settings.backoff ?? backoff,
            maxBackoff: settings.maxBackoff ?? maxBackoff, maxRetryAfter: settings.maxRetryAfter ?? maxRetryAfter)
    }

    /// What to do after a failed attempt.
    ///
    /// - Parameters:
    ///   - result: The failed attempt's result.
    ///   - attempt: Its number, from 1.
    ///   - enqueuedAt: When the invocation was accepted.
    ///   - now: The time now.
    ///   - jitter: A number in `[0, 1]` that picks the delay within the backoff's range.
    public func decision(after result: InvocationResult, attempt: Int, enqueuedAt: Date, now: Date, jitter: Double) -> RetryDecision {
        guard Self.isRetryable(result) else { return .deadLetter(.terminalStatus) }
        guard attempt < maxAttempts else { return .deadLetter(.attempts) }
        let delay = Self.retryAfter(result, now: now).map { min($0, maxRetryAfter) } ?? backoff(attempt: attempt, jitter: jitter)
        guard now.addingTimeInterval(delay.seconds) <= enqueuedAt.addingTimeInterval(maxAge.seconds) else { return .deadLetter(.maxAge) }
        return .retry(after: delay)
    }

    /// The full-jitter backoff after attempt `attempt`: `jitter` times `min(maxBackoff, backoff * 2^(attempt - 1))`.
    public func backoff(attempt: Int, jitter: Double) -> Duration {
        var ceiling = backoff
        for _ in 1..<max(1, attempt) where ceiling < maxBackoff { ceiling *= 2 }
        return min(ceiling, maxBackoff) * min(1, max(0, jitter))
    }

    /// Whether another attempt could succeed.
    public static func isRetryable(_ result: InvocationResult) -> Bool {
        switch result.outcome {
        case .delivered, .noSubscribers: return false
        case .failed:
            switch result.error?.code {
            case .unreachable, .timeout, .interrupted, .cancelled: return true
            case .invalidTarget, .invalidInvocation, .responseTooLarge, nil: return false
            }
        case .functionError:
            guard let status = result.status else { return false }
            return [404, 408, 409, 425, 429].contains(status) || (500..<600).contains(status)
        }
    }

    /// The answer's `Retry-After`, in seconds or as an HTTP date, from `now`; nil when absent or invalid.
    public static func retryAfter(_ result: InvocationResult, now: Date) -> Duration? {
        guard let value = result.header("Retry-After")?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.allSatisfy(\.isASCIIDigit) {
            return Int(value.prefix(9)).map { .seconds($0) }
        }
        guard let date = HTTPDate.parse(value) else { return nil }
        return .milliseconds(max(0, Int64((date.timeIntervalSince(now) * 1000).rounded(.up))))
    }
}

/// What a ``RetryPolicy`` decides after a failed attempt.
public enum RetryDecision: Sendable, Hashable {
    case retry(after: Duration)
    case deadLetter(DeadLetterReason)
}

/// Why an invocation became a dead letter.
public enum DeadLetterReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// Its attempts ran out.
    case attempts
    /// It was accepted too long ago to be tried again.
    case maxAge = "max_age"
    /// The function's answer (or the failure) is not worth retrying.
    case terminalStatus = "terminal_status"
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
