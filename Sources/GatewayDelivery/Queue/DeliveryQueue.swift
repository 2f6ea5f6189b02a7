public import Foundation

/// Where async invocations wait for a ``DeliveryWorker``.
///
/// Producers call ``enqueue(_:)`` and answer their trigger once it returns; the worker takes invocations
/// with ``next()`` and settles each with ``ack(_:)`` or ``fail(_:result:retryAfter:)``. The in-memory
/// queue implements it now; a durable store (SQLite, PostgreSQL) implements the same protocol with
/// retries that survive restarts and a dead-letter queue.
public protocol DeliveryQueue: Sendable {
    /// Stores the invocations, all or none, and returns once they are accepted: for a durable store,
    /// once committed.
    ///
    /// - Throws: ``QueueFullError`` when there is no room; a store's own error when storing failed.
    func enqueue(_ invocations: [Invocation]) async throws

    /// The next invocation that is due, leased to the caller until it calls ``ack(_:)`` or
    /// ``fail(_:result:retryAfter:)``. Waits while none is due.
    ///
    /// - Returns: nil once the queue is closed and nothing is left for this caller.
    /// - Throws: `CancellationError` when the waiting task is cancelled (nothing is leased then).
    func next() async throws -> QueuedInvocation?

    /// The invocation was delivered: forget it.
    func ack(_ item: QueuedInvocation) async throws

    /// The attempt failed with `result`. With `retryAfter`, the invocation is due again after that
    /// delay; without, it is finished as failed (a durable store moves it to the dead-letter queue).
    func fail(_ item: QueuedInvocation, result: InvocationResult, retryAfter: Duration?) async throws
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

/// The queue has no room for the invocations: the server answers 429 (or 503) and the trigger retries.
public struct QueueFullError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The queue's capacity.
    public var capacity: Int
    /// Invocations it holds (waiting, delayed or in flight).
    public var held: Int
    /// How many were offered.
    public var offered: Int

    public init(capacity: Int, held: Int, offered: Int) {
        self.capacity = capacity
        self.held = held
        self.offered = offered
    }

    public var description: String {
        "the delivery queue is full: it holds \(held) of \(capacity) invocations and cannot take \(offered) more; retry later"
    }
}
