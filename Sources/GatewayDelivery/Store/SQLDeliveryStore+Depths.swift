import Logging
import Synchronization

/// The depths that the bounds are checked against, without counting the queue on every commit.
///
/// Counting reads every queued row: milliseconds at ten thousand queued calls, and group commits come
/// hundreds of times a second, so a backlog made every enqueue slower. The counts are
/// taken at most once every ``depthRecount`` and kept current in between with this process's own
/// enqueues and settlements; changes by other processes (replicas, `dlq replay`) show at the next count.
///
/// A count reads every queued row, and grows with the queue: 120 ms on SQLite with 533,000 calls
/// queued; on PostgreSQL, with 20,000 queued and the table churning, 47 ms of the server's CPU. So counts
/// keep fifty times their own last duration apart (``Swift/Duration/spaced(after:)``), one at a time,
/// and off the commits' path: a commit that finds the counts stale goes on with them and has
/// ``keepCountingDepths()`` count again, in a reading of its own. What this process changes meanwhile is
/// added to the count. On SQLite that is exact: the reading's view is fixed between two statements, and
/// each change is made in the same turn as its statement. PostgreSQL's commits run concurrently, so a
/// count there may miss or double a group in flight, until the next count.
extension SQLDeliveryStore {
    /// How stale the counts may get before a commit counts again, while counting is quick.
    static let depthRecount = Duration.seconds(1)

    /// How long after a count that took `took` the next one comes.
    static func recountInterval(after took: Duration) -> Duration {
        depthRecount.spaced(after: took)
    }

    /// Counts held per function, and when they were counted.
    struct DepthCounts {
        var functions: [String: Int]
        var countedAt: ContinuousClock.Instant
        /// How long the count took.
        var took: Duration

        /// Young enough to check the bounds against.
        var isFresh: Bool { ContinuousClock.now - countedAt < recountInterval(after: took) }
    }

    /// What the counts are doing: kept, or being counted again with this process's changes since the
    /// count's view was fixed.
    struct DepthRecount {
        /// Bumped when the counts are dropped: a count begun before then is not kept.
        var generation = 0
        var running = false
        /// Changes since the running count's view was fixed; nil until it is.
        var changes: [String: Int]?
    }

    /// The depths per function, kept, and counted again in the background when stale; counted in `db`,
    /// the commit's own transaction, when there are none (just opened, or a failed commit dropped them).
    func depths(_ db: any SQLExecutor) async throws -> [String: Int] {
        if let kept = keptDepths() { return kept }
        let now = ContinuousClock.now
        let counted = try await Self.scanningWholeTables(backend.dialect, db) { try await Self.countDepths(db) }
        let took = ContinuousClock.now - now
        state.withLock { $0.depths = DepthCounts(functions: counted, countedAt: now, took: took) }
        return counted
    }

    /// The kept counts, nil when there are none; when they are stale, a count starts.
    private func keptDepths() -> [String: Int]? {
        let (kept, stale) = state.withLock { state in (state.depths?.functions, state.depthsAreStale) }
        if stale { recountsWanted.yield() }
        return kept
    }

    public func held() async throws -> Int {
        try await ready()
        if let kept = keptDepths() {
            try await backend.execute("SELECT 1", [])
            return kept.values.reduce(0, +)
        }
        // None kept (just opened, or dropped): counted in a reading, which holds up no write, and kept;
        // counted without keeping when a count runs already.
        if let counted = try await recountDepths() { return counted.values.reduce(0, +) }
        return try await readingWholeTables { try await Self.countDepths($0) }.values.reduce(0, +)
    }

    /// Counts the depths each time a commit finds them stale, until the store closes.
    func keepCountingDepths() async {
        for await _ in recounts where state.withLock({ $0.depthsAreStale }) {
            do {
                try await recountDepths()
            } catch {
                logger.warning("could not count the queue's depths: \(error)")
            }
        }
    }

    /// Counts in a reading, unless a count runs already, and keeps the count with the changes made since
    /// its view was fixed. Returns the counts kept; nil when it did not count, or the counts were dropped
    /// meanwhile.
    @discardableResult
    func recountDepths() async throws -> [String: Int]? {
        try await ready()
        let generation = state.withLock { state -> Int? in
            guard !state.recount.running else { return nil }
            state.recount.running = true
            return state.recount.generation
        }
        guard let generation else { return nil }
        defer { state.withLock { $0.recount = DepthRecount(generation: $0.recount.generation) } }
        let start = ContinuousClock.now
        let counted = try await readingWholeTables(snapshot: { self.state.withLock { $0.recount.changes = [:] } }) { db in
            try await Self.countDepths(db)
        }
        return state.withLock { state in
            guard state.recount.generation == generation else { return nil }
            var functions = counted
            for (function, change) in state.recount.changes ?? [:] { functions[function, default: 0] += change }
            state.depths = DepthCounts(functions: functions, countedAt: start, took: ContinuousClock.now - start)
            return functions
        }
    }

    /// Adds `changes` (per function) to the counts. Made in the same turn as the statements that made
    /// them (see the type's comment).
    func adjustDepths(_ changes: [String: Int]) {
        guard !changes.isEmpty else { return }
        state.withLock { state in
            for (function, change) in changes {
                state.depths?.functions[function, default: 0] += change
                state.recount.changes?[function, default: 0] += change
            }
        }
    }

    /// Drops the counts: the next commit counts again, and a count running now is not kept.
    func forgetDepths() {
        state.withLock { state in
            state.depths = nil
            state.recount.generation += 1
        }
    }

    /// Runs `body`'s statements, which read every row of a table (counts), with whole-table scans
    /// allowed in the transaction `db`, and rules them out again after. Ruled out, PostgreSQL read the
    /// rows through an index, one page at a time: about three times as long (375 against 130 ms for a
    /// count of 266,000 queued calls), once a second, in a group commit that every waiting 202 awaits.
    static func scanningWholeTables<T>(_ dialect: SQLDialect, _ db: any SQLExecutor, _ body: () async throws -> T) async throws -> T {
        guard let scans = dialect.wholeTableScans else { return try await body() }
        try await db.execute(scans.allow, [])
        let value = try await body()
        try await db.execute(scans.ruleOut, [])
        return value
    }

    /// Runs `body`, which reads every row of tables, in a reading (``SQLBackend/reading(snapshot:_:)``)
    /// with whole-table scans allowed, so that no write waits for it.
    func readingWholeTables<T: Sendable>(
        snapshot: @Sendable () -> Void = {}, _ body: @Sendable @escaping (any SQLExecutor) async throws -> T
    ) async throws -> T {
        let dialect = backend.dialect
        return try await backend.reading(snapshot: snapshot) { db in try await Self.scanningWholeTables(dialect, db) { try await body(db) } }
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
