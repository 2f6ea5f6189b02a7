import Synchronization

/// The depths that the bounds are checked against, without counting the queue on every commit.
///
/// Counting is a scan of the function index: milliseconds at ten thousand queued calls, and group
/// commits come hundreds of times a second, so a backlog made every enqueue slower. The counts are
/// taken at most once every ``depthRecount`` and kept current in between with this process's own
/// enqueues and settlements; changes by other processes (replicas, `dlq replay`) show at the next count.
///
/// A count reads every queued row, and grows with the queue: on PostgreSQL, with 20,000 calls queued
/// and the table churning, 47 ms of the server's CPU, in a group commit that waited for it. So counts
/// also keep ``recountSpacing`` times their own last duration apart.
extension SQLDeliveryStore {
    /// How stale the counts may get before a commit counts again, while counting is quick.
    static let depthRecount = Duration.seconds(1)

    /// The least interval between counts, as a multiple of the last count's duration: counting takes at
    /// most a fiftieth of the time.
    static let recountSpacing = 50

    /// How long after a count that took `took` the next one comes.
    static func recountInterval(after took: Duration) -> Duration {
        max(depthRecount, took * recountSpacing)
    }

    /// Counts held per function, and when they were counted.
    struct DepthCounts {
        var functions: [String: Int]
        var countedAt: ContinuousClock.Instant
        /// How long the count took.
        var took: Duration
    }

    /// The depths per function: counted in `db` when the last count is stale.
    func depths(_ db: any SQLExecutor) async throws -> [String: Int] {
        let now = ContinuousClock.now
        if let counts = state.withLock({ $0.depths }), now - counts.countedAt < Self.recountInterval(after: counts.took) { return counts.functions }
        let counted = try await Self.countDepths(db)
        let took = ContinuousClock.now - now
        state.withLock { $0.depths = DepthCounts(functions: counted, countedAt: now, took: took) }
        return counted
    }

    /// Adds `changes` (per function) to the counts, once committed.
    func adjustDepths(_ changes: [String: Int]) {
        guard !changes.isEmpty else { return }
        state.withLock { state in
            for (function, change) in changes { state.depths?.functions[function, default: 0] += change }
        }
    }

    /// Drops the counts: the next commit counts again.
    func forgetDepths() {
        state.withLock { $0.depths = nil }
    }

    /// Invocations held per function.
    static func countDepths(_ db: any SQLExecutor) async throws -> [String: Int] {
        var depths: [String: Int] = [:]
        for row in try await db.execute("SELECT function, COUNT(*) FROM delivery_invocations GROUP BY function", []) {
            guard let function = row.first?.text else { continue }
            depths[function] = Int(try integer(row, 1))
        }
        return depths
    }
}
