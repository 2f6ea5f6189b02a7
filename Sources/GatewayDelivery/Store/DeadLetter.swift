public import Foundation

/// An invocation that failed for good, with what is known about its last attempt.
public struct DeadLetter: Sendable, Hashable {
    /// Its invocation's id.
    public var id: String
    /// The original invocation: function, topics, envelopes, payload.
    public var invocation: Invocation
    /// Where the last attempt went: the URL, or the function's address when no request was built.
    public var destination: String
    /// The last answer's status; nil when none arrived.
    public var status: Int?
    /// The first ``DeadLetter/responseBodyLimit`` bytes of the last answer's body.
    public var responseBody: [UInt8]
    /// The last failure's message when no answer arrived (a timeout, a reset connection).
    public var error: String?
    public var attempts: Int
    public var firstAttemptAt: Date
    public var lastAttemptAt: Date
    public var reason: DeadLetterReason
    /// How often it was replayed before.
    public var replays: Int
    /// When it became a dead letter.
    public var deadAt: Date

    /// Bytes of the response body kept.
    public static let responseBodyLimit = 1024

    public init(
        id: String, invocation: Invocation, destination: String, status: Int?, responseBody: [UInt8], error: String?, attempts: Int,
        firstAttemptAt: Date, lastAttemptAt: Date, reason: DeadLetterReason, replays: Int, deadAt: Date
    ) {
        self.id = id
        self.invocation = invocation
        self.destination = destination
        self.status = status
        self.responseBody = responseBody
        self.error = error
        self.attempts = attempts
        self.firstAttemptAt = firstAttemptAt
        self.lastAttemptAt = lastAttemptAt
        self.reason = reason
        self.replays = replays
        self.deadAt = deadAt
    }
}
