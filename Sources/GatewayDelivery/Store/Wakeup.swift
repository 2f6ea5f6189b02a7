import Synchronization

/// Wakes tasks that wait for work: ``wait(upTo:)`` returns when ``signal()`` is called, when the time
/// is up, or when the task is cancelled, whichever comes first.
///
/// A signal reaches the tasks waiting at that moment; one that comes while a task is between waits is
/// missed, which costs that task at most one timeout (callers poll with a short one).
final class Wakeup: Sendable {
    private enum Slot {
        /// Created, not yet waiting.
        case created
        case waiting(CheckedContinuation<Void, Never>)
        /// Cancelled before it started waiting.
        case cancelled
    }

    private struct State {
        var slots: [UInt64: Slot] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Wakes every task waiting now.
    func signal() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var continuations: [CheckedContinuation<Void, Never>] = []
            for (id, slot) in state.slots {
                guard case .waiting(let continuation) = slot else { continue }
                continuations.append(continuation)
                state.slots[id] = nil
            }
            return continuations
        }
        for continuation in waiting { continuation.resume() }
    }

    func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForSignal() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        let id = state.withLock { state in
            state.nextID += 1
            state.slots[state.nextID] = .created
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelled = state.withLock { state in
                    guard case .cancelled = state.slots[id] else {
                        state.slots[id] = .waiting(continuation)
                        return false
                    }
                    state.slots[id] = nil
                    return true
                }
                if cancelled { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                switch state.slots[id] {
                case .waiting(let continuation):
                    state.slots[id] = nil
                    return continuation
                case .created:
                    state.slots[id] = .cancelled
                    return nil
                case .cancelled, nil:
                    return nil
                }
            }
            continuation?.resume()
        }
    }
}
