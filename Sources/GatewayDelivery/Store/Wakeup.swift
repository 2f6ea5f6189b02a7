import NIOCore
import NIOPosix
import Synchronization

/// Wakes tasks that wait for work: ``wait(upTo:since:)`` returns when ``signal()`` is called, when the
/// time is up, or when the task is cancelled, whichever comes first.
///
/// A task reads ``generation`` before it looks for work and waits `since` it: a signal that came while
/// it was looking (work finished meanwhile) ends the wait at once instead of being missed.
///
/// The time limit is an event loop's timer, as in ``sleepOnEventLoop(for:)``: a `Task.sleep` beside each
/// wait (a task group of two) woke Dispatch's timer thread at every wait, hundreds of times a second
/// under load, and the group cost two child tasks. A timer left behind by a signal fires and finds nothing.
final class Wakeup: Sendable {
    private enum Slot {
        /// Created, not yet waiting.
        case created
        case waiting(CheckedContinuation<Void, Never>)
        /// Ended (cancelled or timed out) before it started waiting.
        case ended
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
        let id = state.withLock { state in
            state.nextID += 1
            state.slots[state.nextID] = .created
            return state.nextID
        }
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        // A loop shutting down takes no timers: the wait ends at once rather than never.
        if (try? loop.scheduleCallback(in: TimeAmount(timeout), handler: Timer(wakeup: self, id: id))) == nil { end(id) }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    var ended = false
                    if case .ended = state.slots[id] { ended = true }
                    // A signal between the caller's look for work and now counts too.
                    guard ended || state.generation != generation else {
                        state.slots[id] = .waiting(continuation)
                        return false
                    }
                    state.slots[id] = nil
                    return true
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            end(id)
        }
    }

    /// Ends the wait `id`: resumes it when it waits, or has it return when it begins to.
    private func end(_ id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            switch state.slots[id] {
            case .waiting(let continuation):
                state.slots[id] = nil
                return continuation
            case .created:
                state.slots[id] = .ended
                return nil
            case .ended, nil:
                return nil
            }
        }
        continuation?.resume()
    }

    /// A wait's time limit.
    private struct Timer: NIOScheduledCallbackHandler {
        let wakeup: Wakeup
        let id: UInt64

        func handleScheduledCallback(eventLoop: some EventLoop) {
            wakeup.end(id)
        }
    }
}
