public import Foundation
public import ServiceLifecycle

/// A durable ``DeliveryQueue``: invocations survive restarts and crashes, failures end in a dead-letter
/// queue that can be listed and replayed.
///
/// A store is a `Service`: ``run()`` opens it (creating or migrating the schema) and, on graceful
/// shutdown, releases this process's leases so that their invocations are due again at once. Calls made
/// before it is open wait for it. Put it first in a service group, so that it stops after the workers.
public protocol DeliveryStore: DeliveryQueue, Service {
    /// Dead letters matching `filter`, oldest first.
    func deadLetters(_ filter: DeadLetterFilter) async throws -> [DeadLetter]

    /// The dead letter with this id (its invocation's id), or nil.
    func deadLetter(id: String) async throws -> DeadLetter?

    /// Puts the dead letters matching `filter` back in the queue, each due at once with its attempts
    /// counted anew, except those replayed ``DeliveryStoreConfiguration/maxReplays`` times already.
    func replay(_ filter: DeadLetterFilter) async throws -> ReplayReport

    /// Deletes a dead letter; false when there was none with this id.
    @discardableResult
    func drop(id: String) async throws -> Bool

    /// Queue depth, in flight, dead letters and the oldest age, per function and in total.
    func status() async throws -> QueueStatus

    /// Transactions that stored enqueued invocations since this instance opened: fewer than the
    /// ``DeliveryQueue/enqueue(_:)`` calls when concurrent calls were committed together.
    var enqueueTransactions: Int { get }
}

/// Which dead letters to list or replay; nil properties match all.
public struct DeadLetterFilter: Sendable, Hashable {
    /// A function's address.
    public var function: String?
    /// Dead-lettered at or after.
    public var since: Date?
    /// Dead-lettered before.
    public var until: Date?

    public init(function: String? = nil, since: Date? = nil, until: Date? = nil) {
        self.function = function
        self.since = since
        self.until = until
    }

    /// Every dead letter.
    public static let all = DeadLetterFilter()
}

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

/// What ``DeliveryStore/replay(_:)`` did.
public struct ReplayReport: Sendable, Hashable {
    /// A dead letter that was not replayed, and why.
    public struct Refusal: Sendable, Hashable, CustomStringConvertible {
        public var id: String
        public var replays: Int
        public var limit: Int

        public init(id: String, replays: Int, limit: Int) {
            self.id = id
            self.replays = replays
            self.limit = limit
        }

        public var description: String {
            "dead letter \(id) was replayed \(replays) times already, the limit is \(limit): not replayed (drop it, or fix the function and raise the limit)"
        }
    }

    /// Ids of the dead letters put back in the queue.
    public var replayed: [String]
    public var refused: [Refusal]

    public init(replayed: [String], refused: [Refusal]) {
        self.replayed = replayed
        self.refused = refused
    }
}

/// Figures about a store's queue.
public struct QueueStatus: Sendable, Hashable {
    /// One function's figures, or the totals.
    public struct Figures: Sendable, Hashable {
        /// Invocations held: waiting, delayed or in flight.
        public var depth: Int
        /// Invocations under an unexpired lease (in any process).
        public var inFlight: Int
        public var deadLetters: Int
        /// How long ago the oldest held invocation was accepted; nil when none is held.
        public var oldestAge: Duration?

        public init(depth: Int = 0, inFlight: Int = 0, deadLetters: Int = 0, oldestAge: Duration? = nil) {
            self.depth = depth
            self.inFlight = inFlight
            self.deadLetters = deadLetters
            self.oldestAge = oldestAge
        }
    }

    /// By function address: every function that has invocations held or dead letters.
    public var functions: [String: Figures]
    public var total: Figures

    public init(functions: [String: Figures], total: Figures) {
        self.functions = functions
        self.total = total
    }
}
