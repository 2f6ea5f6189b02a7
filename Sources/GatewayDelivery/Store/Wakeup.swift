import Synchronization

/// Wakes tasks that wait for work: ``wait(upTo:since:)`` returns when ``signal()`` is called, when the
/// time is up, or when the task is cancelled, whichever comes first.
///
/// A task reads ``generation`` before it looks for work and waits `since` it: a signal that came while
/// it was looking (work finished meanwhile) ends the wait at once instead of being missed.
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
        /// Signals so far.
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Signals so far: pass it to ``wait(upTo:since:)``.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every task waiting now, and those that wait since an earlier generation.
    func signal() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
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

    /// Waits for a signal after `generation` (at once when one came already), at most `timeout`.
    func wait(upTo timeout: Duration, since generation: UInt64) async {
        guard self.generation == generation else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForSignal(since: generation) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal(since generation: UInt64) async {
        let id = state.withLock { state in
            state.nextID += 1
            state.slots[state.nextID] = .created
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    var cancelled = false
                    if case .cancelled = state.slots[id] { cancelled = true }
                    // A signal between the caller's look for work and now counts too.
                    guard cancelled || state.generation != generation else {
                        state.slots[id] = .waiting(continuation)
                        return false
                    }
                    state.slots[id] = nil
                    return true
                }
                if resumeNow { continuation.resume() }
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
