import Synchronization

/// A moment one task notes and others read or wait for: when a stub answered, or a gate that opens.
final class Moment: Sendable {
    private let value = Mutex<ContinuousClock.Instant?>(nil)

    /// Notes now, the first time only.
    func mark() { value.withLock { $0 = $0 ?? .now } }

    /// When ``mark()`` was first called; nil before.
    var instant: ContinuousClock.Instant? { value.withLock { $0 } }

    /// Returns once ``mark()`` was called (checking every 10 ms), when the task is cancelled, or after
    /// `timeout` when one is given.
    func wait(upTo timeout: Duration? = nil) async {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while instant == nil, !Task.isCancelled, deadline.map({ ContinuousClock.now < $0 }) ?? true {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
