import Foundation
import Synchronization

/// A bounded ``DeliveryQueue`` in memory: first in, first out; retries wait their delay and then join
/// the back of the line.
///
/// **In memory means lost on a crash or restart**: an invocation is only as safe as the process. A
/// trigger that got its 202 will not see the event redelivered. Use it for development and for
/// deliveries that may be lost; the durable stores are for the rest.
///
/// ``capacity`` bounds every invocation it holds: waiting, delayed for a retry, or leased to a worker.
/// ``deadLetter(_:result:reason:)`` keeps the last ``deadLetterCapacity`` failures in ``deadLetters``,
/// for inspection only. There is no deduplication: every invocation offered is stored. The queue never closes: ``next()`` waits until there is work
/// or its task is cancelled.
public final class InMemoryDeliveryQueue: DeliveryQueue {
    /// An invocation that failed for good.
    public struct DeadLetter: Sendable, Hashable {
        public var invocation: Invocation
        /// Attempts made.
        public var attempts: Int
        /// The last attempt's result.
        public var result: InvocationResult
        public var reason: DeadLetterReason
    }

    public let capacity: Int
    public let deadLetterCapacity: Int

    private struct Entry {
        var invocation: Invocation
        var attempt: Int
        var enqueuedAt: Date
    }

    private struct State {
        /// Due entries; `ready[head...]` are live, the prefix is consumed and dropped now and then.
        var ready: [Entry] = []
        var head = 0
        /// Entries waiting out a retry delay, by a number of their own.
        var delayed: [UInt64: Entry] = [:]
        var leased: [String: Entry] = [:]
        var deadLetters: [DeadLetter] = []
        var counter: UInt64 = 0

        var held: Int { ready.count - head + delayed.count + leased.count }

        mutating func popReady() -> Entry? {
            guard head < ready.count else { return nil }
            let entry = ready[head]
            head += 1
            // Drop the consumed prefix once it is the larger part, so memory stays proportional.
            if head > 64, head * 2 > ready.count {
                ready.removeFirst(head)
                head = 0
            }
            return entry
        }
    }

    private let state = Mutex(State())
    /// One permit per ready entry: ``next()`` waits on it, first come first served.
    private let readyCount = AsyncSemaphore(permits: 0)

    /// - Parameters:
    ///   - capacity: Invocations held at most (default 10 000).
    ///   - deadLetterCapacity: Failed invocations kept for inspection (default 100).
    public init(capacity: Int = 10_000, deadLetterCapacity: Int = 100) {
        self.capacity = max(1, capacity)
        self.deadLetterCapacity = max(0, deadLetterCapacity)
    }

    /// Invocations held: waiting, delayed or leased.
    public var count: Int { state.withLock { $0.held } }

    /// The most recent invocations that failed for good, oldest first.
    public var deadLetters: [DeadLetter] { state.withLock { $0.deadLetters } }

    @discardableResult
    public func enqueue(_ invocations: [Invocation]) async throws -> EnqueueReceipt {
        let now = Date()
        try state.withLock { state throws(QueueFullError) in
            guard state.held + invocations.count <= capacity else {
                throw QueueFullError(capacity: capacity, held: state.held, offered: invocations.count)
            }
            state.ready += invocations.map { Entry(invocation: $0, attempt: 1, enqueuedAt: now) }
        }
        for _ in invocations { readyCount.release() }
        return EnqueueReceipt(stored: invocations.map(\.id))
    }

    public func next() async throws -> QueuedInvocation? {
        while true {
            try await readyCount.acquire()
            let item = state.withLock { state -> QueuedInvocation? in
                guard let entry = state.popReady() else { return nil }
                state.counter += 1
                let receipt = "mem-\(state.counter)"
                state.leased[receipt] = entry
                return QueuedInvocation(invocation: entry.invocation, attempt: entry.attempt, receipt: receipt, enqueuedAt: entry.enqueuedAt)
            }
            // A permit always stands for a ready entry; should one ever be missing, wait for the next.
            if let item { return item }
        }
    }

    /// Forgets a delivered invocation; an unknown receipt is ignored.
    public func ack(_ item: QueuedInvocation) async throws {
        _ = state.withLock { $0.leased.removeValue(forKey: item.receipt) }
    }

    public func retry(_ item: QueuedInvocation, result: InvocationResult, after delay: Duration) async throws {
        let delayedKey = state.withLock { state -> UInt64? in
            guard var entry = state.leased.removeValue(forKey: item.receipt) else { return nil }
            entry.attempt += 1
            state.counter += 1
            state.delayed[state.counter] = entry
            return state.counter
        }
        guard let delayedKey else { return }
        // The entry counts as held while it waits; a task puts it back in line when it is due.
        Task {
            try? await Task.sleep(for: delay)
            self.requeue(delayedKey)
        }
    }

    public func deadLetter(_ item: QueuedInvocation, result: InvocationResult, reason: DeadLetterReason) async throws {
        state.withLock { state in
            guard let entry = state.leased.removeValue(forKey: item.receipt) else { return }
            state.deadLetters.append(DeadLetter(invocation: entry.invocation, attempts: entry.attempt, result: result, reason: reason))
            if state.deadLetters.count > deadLetterCapacity { state.deadLetters.removeFirst(state.deadLetters.count - deadLetterCapacity) }
        }
    }

    private func requeue(_ key: UInt64) {
        let requeued = state.withLock { state -> Bool in
            guard let entry = state.delayed.removeValue(forKey: key) else { return false }
            state.ready.append(entry)
            return true
        }
        if requeued { readyCount.release() }
    }
}
