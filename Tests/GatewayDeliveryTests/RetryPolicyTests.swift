import Foundation
import GatewayCore
import GatewayDelivery
import Testing

/// Classification, capped exponential backoff with full jitter, Retry-After, attempts and age.
struct RetryPolicyTests {
    static let policy = RetryPolicy(maxAttempts: 4, maxAge: .seconds(60), backoff: .seconds(1), maxBackoff: .seconds(5), maxRetryAfter: .seconds(10))
    static let accepted = Date(timeIntervalSince1970: 1_700_000_000)
    static let now = accepted.addingTimeInterval(5)

    static func failed(status: Int? = nil, code: InvocationError.Code? = nil, retryAfter: String? = nil) -> InvocationResult {
        DeliveryQueueTests.failed(status: status, code: code, retryAfter: retryAfter)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var result: InvocationResult
        var attempt: Int
        var jitter: Double = 1
        var now: Date = RetryPolicyTests.now
        var decision: RetryDecision
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(name: "503 after the first attempt: up to the base", result: failed(status: 503), attempt: 1, decision: .retry(after: .seconds(1))),
        .init(name: "unreachable doubles", result: failed(code: .unreachable), attempt: 2, decision: .retry(after: .seconds(2))),
        .init(name: "timeout doubles again", result: failed(code: .timeout), attempt: 3, decision: .retry(after: .seconds(4))),
        .init(name: "full jitter picks within the range", result: failed(code: .interrupted), attempt: 3, jitter: 0.25, decision: .retry(after: .seconds(1))),
        .init(name: "jitter 0 retries at once", result: failed(status: 500), attempt: 2, jitter: 0, decision: .retry(after: .zero)),
        .init(name: "the last attempt is final", result: failed(status: 503), attempt: 4, decision: .deadLetter(.attempts)),
        .init(name: "429 honours Retry-After seconds", result: failed(status: 429, retryAfter: "3"), attempt: 1, decision: .retry(after: .seconds(3))),
        .init(
            name: "Retry-After as an HTTP date", result: failed(status: 503, retryAfter: "Tue, 14 Nov 2023 22:13:27 GMT"), attempt: 1,
            decision: .retry(after: .seconds(2))),
        .init(name: "Retry-After is capped", result: failed(status: 503, retryAfter: "3600"), attempt: 1, decision: .retry(after: .seconds(10))),
        .init(name: "an invalid Retry-After is ignored", result: failed(status: 503, retryAfter: "soon"), attempt: 2, decision: .retry(after: .seconds(2))),
        .init(name: "a retry past the max age is a dead letter", result: failed(status: 503), attempt: 1, now: accepted.addingTimeInterval(59.5),
              decision: .deadLetter(.maxAge)),
        .init(name: "400 is terminal", result: failed(status: 400), attempt: 1, decision: .deadLetter(.terminalStatus)),
        .init(name: "403 is terminal", result: failed(status: 403), attempt: 1, decision: .deadLetter(.terminalStatus)),
        .init(name: "a 3xx is terminal", result: failed(status: 301), attempt: 1, decision: .deadLetter(.terminalStatus)),
        .init(name: "404 is retried", result: failed(status: 404), attempt: 1, decision: .retry(after: .seconds(1))),
        .init(name: "408 is retried", result: failed(status: 408), attempt: 1, decision: .retry(after: .seconds(1))),
        .init(name: "409 is retried", result: failed(status: 409), attempt: 1, decision: .retry(after: .seconds(1))),
        .init(name: "425 is retried", result: failed(status: 425), attempt: 1, decision: .retry(after: .seconds(1))),
        .init(name: "an invalid target is terminal", result: failed(code: .invalidTarget), attempt: 1, decision: .deadLetter(.terminalStatus)),
        .init(name: "a too large answer is terminal", result: failed(status: 200, code: .responseTooLarge), attempt: 1, decision: .deadLetter(.terminalStatus)),
    ]

    @Test(arguments: cases)
    func decision(_ testCase: Case) {
        let decision = Self.policy.decision(after: testCase.result, attempt: testCase.attempt, enqueuedAt: Self.accepted, now: testCase.now, jitter: testCase.jitter)
        #expect(decision == testCase.decision)
    }

    @Test func backoffIsCappedAndScaledByTheJitter() {
        #expect((1...6).map { Self.policy.backoff(attempt: $0, jitter: 1) } == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5), .seconds(5)])
        #expect(Self.policy.backoff(attempt: 2, jitter: 0.5) == .seconds(1))
        // Random jitter stays within [0, ceiling].
        let jitter = Jitter.full
        for _ in 0..<100 {
            let delay = Self.policy.backoff(attempt: 3, jitter: jitter.next())
            #expect(delay >= .zero && delay <= .seconds(4))
        }
    }

    @Test func functionSettingsReplaceTheDefaults() {
        let applied = Self.policy.applying(RetrySettings(maxAttempts: 2, maxRetryAfter: .seconds(1)))
        #expect(applied == RetryPolicy(maxAttempts: 2, maxAge: .seconds(60), backoff: .seconds(1), maxBackoff: .seconds(5), maxRetryAfter: .seconds(1)))
        #expect(Self.policy.applying(RetrySettings()) == Self.policy)
    }
}
