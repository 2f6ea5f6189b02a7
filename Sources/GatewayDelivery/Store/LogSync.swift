import Synchronization

/// Group fsyncs of a write-ahead log: commits write their frames to the log without waiting for the
/// disk and are counted (``commitWritten()``); each durable caller then waits until a sync that began
/// after its commit was written has ended (``sync(through:)``). One sync serves every commit written
/// before it began, and a new one starts when the last ends while callers still wait.
///
/// With the fsync inside the commit (`synchronous=FULL`), SQLite's one writer held the file while the
/// disk worked, and the next group could not begin: 32 connections posting in a loop left a third of
/// the core idle.
final class LogSync: Sendable {
    /// Makes everything written to the log so far durable; runs off the caller's thread.
    typealias Flush = @Sendable () async throws -> Void

    private struct Waiter {
        var mark: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        /// Commits written to the log so far.
        var written: UInt64 = 0
        /// Commits written before the last successful sync began.
        var synced: UInt64 = 0
        var running = false
        var waiters: [Waiter] = []
        var syncs = 0
    }

    private let state = Mutex(State())
    private let flush: Flush

    init(flush: @escaping Flush) {
        self.flush = flush
    }

    /// Syncs run so far.
    var syncs: Int { state.withLock { $0.syncs } }

    /// Counts a commit whose frames are written to the log (call it before the next commit begins) and
    /// returns its mark for ``sync(through:)``.
    func commitWritten() -> UInt64 {
        state.withLock { state in
            state.written += 1
            return state.written
        }
    }

    /// Returns once a sync that began after commit `mark` was written has ended; throws that sync's error.
    func sync(through mark: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let starts = state.withLock { state -> Bool? in
                if state.synced >= mark { return nil }
                state.waiters.append(Waiter(mark: mark, continuation: continuation))
                guard !state.running else { return false }
                state.running = true
                return true
            }
            switch starts {
            case nil: continuation.resume()
            case true?: Task { await self.run() }
            case false?: break
            }
        }
    }

    /// Returns once every commit written so far is synced.
    func syncWritten() async throws {
        try await sync(through: state.withLock { $0.written })
    }

    /// Syncs while callers wait, each sync covering every commit written before it began.
    private func run() async {
        var more = true
        while more {
            let target = state.withLock { $0.written }
            let outcome: Result<Void, any Error>
            do {
                try await flush()
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            let done = state.withLock { state -> [Waiter] in
                state.syncs += 1
                if case .success = outcome { state.synced = max(state.synced, target) }
                let done = state.waiters.filter { $0.mark <= target }
                state.waiters.removeAll { $0.mark <= target }
                // Decided under the lock: a caller arriving after this starts the next run itself.
                more = !state.waiters.isEmpty
                state.running = more
                return done
            }
            for waiter in done { waiter.continuation.resume(with: outcome) }
        }
    }
}
