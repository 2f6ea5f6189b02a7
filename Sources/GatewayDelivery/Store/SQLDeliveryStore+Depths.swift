import Synchronization

/// The depths that the bounds are checked against, without counting the queue on every commit.
///
/// Counting reads every queued row: milliseconds at ten thousand queued calls, and group commits come
/// hundreds of times a second, so a backlog made every enqueue slower. The counts are
/// taken at most once every ``depthRecount`` and kept current in between with this process's own
/// enqueues and settlements; changes by other processes (replicas, `dlq replay`) show at the next count.
///
/// A count reads every queued row, and grows with the queue: on PostgreSQL, with 20,000 calls queued
/// and the table churning, 47 ms of the server's CPU, in a group commit that waited for it. So counts
/// also keep fifty times their own last duration apart (``Swift/Duration/spaced(after:)``), and one
/// commit counts at a time.
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

    /// The depths per function: counted in `db` when the last count is stale, unless another commit is
    /// counting them (PostgreSQL runs several at once, and each one counted: four counts for one).
    func depths(_ db: any SQLExecutor) async throws -> [String: Int] {
        let kept = state.withLock { state -> [String: Int]? in
            if let counts = state.depths, counts.isFresh || state.countingDepths { return counts.functions }
            state.countingDepths = true
            return nil
        }
        if let kept { return kept }
        defer { state.withLock { $0.countingDepths = false } }
        let now = ContinuousClock.now
        let counted = try await Self.scanningWholeTables(backend.dialect, db) { try await Self.countDepths(db) }
        let took = ContinuousClock.now - now
        state.withLock { $0.depths = DepthCounts(functions: counted, countedAt: now, took: took) }
        return counted
    }

    public func held() async throws -> Int {
        try await ready()
        if let counts = state.withLock({ $0.depths }), counts.isFresh {
            try await backend.execute("SELECT 1", [])
            return counts.functions.values.reduce(0, +)
        }
        return try await backend.transaction(durable: false) { db in try await self.depths(db) }.values.reduce(0, +)
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

    /// Runs `body`, which reads every row of tables, outside a transaction: where whole-table scans are
    /// ruled out, in a transaction of its own that allows them; elsewhere (SQLite) as it is, so that a
    /// `status` command takes no write lock.
    func readingWholeTables<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        guard backend.dialect.wholeTableScans != nil else { return try await body(backend) }
        return try await backend.transaction(durable: false) { db in
            try await Self.scanningWholeTables(self.backend.dialect, db) { try await body(db) }
        }
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
