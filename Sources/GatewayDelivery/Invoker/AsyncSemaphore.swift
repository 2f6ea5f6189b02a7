import Synchronization

/// A counting semaphore for tasks: waiters are served first come first served, and a waiting task
/// that is cancelled leaves the line at once.
///
/// Started with N permits it bounds concurrency to N; started with none, each ``release()`` announces
/// one item that one ``acquire()`` may take (as the in-memory queue uses it).
final class AsyncSemaphore: Sendable {
    /// The permits it started with.
    let permits: Int

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    /// - Parameter permits: Permits available at the start; values below 0 count as 0.
    init(permits: Int) {
        self.permits = max(0, permits)
        self.state = Mutex(State(available: max(0, permits)))
    }

    /// Waits for a permit. Pair every successful call with one ``release()``.
    ///
    /// - Throws: `CancellationError` when the task is cancelled before a permit is free.
    func acquire() async throws {
        let id: UInt64? = state.withLock { state in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Checked under the lock: a cancellation that came before the waiter is queued is seen
                // here; one that comes after finds the waiter in onCancel.
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.available > 0 {
                        state.available -= 1
                        return .success(())
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Takes a permit if one is free, without waiting.
    ///
    /// - Returns: Whether it took one; pair a true with one ``release()``.
    func tryAcquire() -> Bool {
        tryAcquire(upTo: 1) == 1
    }

    /// Takes up to `permits` free permits, without waiting.
    ///
    /// - Returns: How many it took; pair them with ``release(_:)``.
    func tryAcquire(upTo permits: Int) -> Int {
        state.withLock { state in
            let taken = min(max(0, permits), state.available)
            state.available -= taken
            return taken
        }
    }

    /// How many tasks wait for a permit.
    var waiting: Int {
        state.withLock { $0.waiters.count }
    }

    /// Returns `permits` permits (none when it is 0 or less), as many calls of ``release()`` would.
    func release(_ permits: Int) {
        for _ in 0..<max(0, permits) { release() }
    }

    /// Returns a permit, handing it to the longest waiting task if there is one.
    func release() {
        let next = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }
}
