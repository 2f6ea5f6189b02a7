import NIOCore
import NIOPosix

/// Sleeps for `duration` on an event loop's timer, or until the task is cancelled.
///
/// `Task.sleep` goes through Dispatch when NIO runs Swift concurrency (NIO takes no delayed jobs): every
/// sleep wakes Dispatch's timer thread, and a cancelled sleep's timer still fires later. The invoker
/// sleeps once per call that waits for a slot, beside the call, so the loop's timer is much cheaper.
func sleepOnEventLoop(for duration: Duration) async {
    let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
    let sleeper = EventLoopSleeper(deadline: .now() + TimeAmount(duration))
    await withTaskCancellationHandler {
        await withUnsafeContinuation { continuation in
            if loop.inEventLoop {
                sleeper.start(continuation, on: loop)
            } else {
                loop.execute { sleeper.start(continuation, on: loop) }
            }
        }
    } onCancel: {
        loop.execute { sleeper.wake() }
    }
}

/// One sleep: a continuation and the loop callback that resumes it.
///
/// Touched only on its loop once started (hence `@unchecked Sendable`, to cross to it once).
private final class EventLoopSleeper: NIOScheduledCallbackHandler, @unchecked Sendable {
    let deadline: NIODeadline
    private var continuation: UnsafeContinuation<Void, Never>?
    private var timer: NIOScheduledCallback?
    private var isAwake = false

    init(deadline: NIODeadline) {
        self.deadline = deadline
    }

    func start(_ continuation: UnsafeContinuation<Void, Never>, on loop: any EventLoop) {
        guard !isAwake, let timer = try? loop.scheduleCallback(at: deadline, handler: self) else {
            continuation.resume()
            return
        }
        self.continuation = continuation
        self.timer = timer
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
        timer = nil
        wake()
    }

    /// Resumes the sleeping task now (cancelled or due); later calls do nothing.
    func wake() {
        isAwake = true
        timer?.cancel()
        timer = nil
        continuation?.resume()
        continuation = nil
    }
}
