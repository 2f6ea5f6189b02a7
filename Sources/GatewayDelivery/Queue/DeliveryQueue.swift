public import Foundation

/// Where async invocations wait for a ``DeliveryWorker``.
///
/// Producers call ``enqueue(_:)`` and answer their trigger once it returns; the worker takes invocations
/// with ``next()`` and settles each with ``ack(_:)``, ``retry(_:result:after:)`` or
/// ``deadLetter(_:result:reason:)``. ``InMemoryDeliveryQueue`` keeps them in memory; a
/// ``DeliveryStore`` keeps them in a database, with retries that survive restarts and a dead-letter queue.
public protocol DeliveryQueue: Sendable {
    /// Stores the invocations, all or none, and returns once they are accepted: for a durable store,
    /// once committed.
    ///
    /// - Returns: Which invocations were stored and which were already there (a re-sent event inside a
    ///   store's deduplication window: acknowledged, not stored again).
    /// - Throws: ``QueueFullError`` when there is no room; a store's own error when storing failed.
    @discardableResult
    func enqueue(_ invocations: [Invocation]) async throws -> EnqueueReceipt

    /// The next invocation that is due, leased to the caller until it settles it. Waits while none is due.
    ///
    /// - Returns: nil once the queue is closed and nothing is left for this caller.
    /// - Throws: `CancellationError` when the waiting task is cancelled (nothing is leased then).
    func next() async throws -> QueuedInvocation?

    /// Up to `limit` due invocations (at least one), each leased to the caller until it settles it. Waits
    /// while none is due.
    ///
    /// - Returns: Empty once the queue is closed and nothing is left for this caller.
    /// - Throws: `CancellationError` when the waiting task is cancelled (nothing is leased then).
    func next(upTo limit: Int) async throws -> [QueuedInvocation]

    /// The invocation was delivered: forget it.
    func ack(_ item: QueuedInvocation) async throws

    /// The attempt failed with `result` and is tried again once `delay` has passed.
    func retry(_ item: QueuedInvocation, result: InvocationResult, after delay: Duration) async throws

    /// The attempt failed with `result` for good: the invocation becomes a dead letter.
    func deadLetter(_ item: QueuedInvocation, result: InvocationResult, reason: DeadLetterReason) async throws
}

extension DeliveryQueue {
    /// One at a time, for queues that gain nothing by handing out several together.
    public func next(upTo limit: Int) async throws -> [QueuedInvocation] {
        try await next().map { [$0] } ?? []
    }
}

/// What ``DeliveryQueue/enqueue(_:)`` did with each invocation, by id.
public struct EnqueueReceipt: Sendable, Hashable {
    /// Invocations stored now, in the order given.
    public var stored: [String]
    /// Invocations already stored or delivered within the deduplication window: not stored again.
    public var duplicates: [String]

    public init(stored: [String], duplicates: [String] = []) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

/// An invocation leased from a ``DeliveryQueue``.
public struct QueuedInvocation: Sendable, Hashable {
    public var invocation: Invocation
    /// This attempt's number, from 1.
    public var attempt: Int
    /// Identifies the lease to the queue that handed it out.
    public var receipt: String
    /// When the invocation was first enqueued.
    public var enqueuedAt: Date

    public init(invocation: Invocation, attempt: Int, receipt: String, enqueuedAt: Date) {
        self.invocation = invocation
        self.attempt = attempt
        self.receipt = receipt
        self.enqueuedAt = enqueuedAt
    }
}

/// The queue has no room for the invocations: the server answers 429 with `Retry-After` and the trigger
/// retries.
public struct QueueFullError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The capacity that is reached: the function's when ``function`` is set, the whole queue's otherwise.
    public var capacity: Int
    /// Invocations it holds (waiting, delayed or in flight).
    public var held: Int
    /// How many were offered.
    public var offered: Int
    /// The function whose own bound is reached; nil when the whole queue is full.
    public var function: String?
    /// A suggested wait before trying again.
    public var retryAfter: Duration

    public init(capacity: Int, held: Int, offered: Int, function: String? = nil, retryAfter: Duration = .seconds(1)) {
        self.capacity = capacity
        self.held = held
        self.offered = offered
        self.function = function
        self.retryAfter = retryAfter
    }

    public var description: String {
        let queue = function.map { "the delivery queue of function \($0)" } ?? "the delivery queue"
        return "\(queue) is full: it holds \(held) of \(capacity) invocations and cannot take \(offered) more; retry later"
    }
}
