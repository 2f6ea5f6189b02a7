import Logging
import Synchronization

/// Deduplication marks: on PostgreSQL, a table keyed by invocation id that the processes share
/// (`delivery_dedup`); on SQLite, rows appended by each commit (`delivery_seen`) and looked up in memory
/// (``SeenLog``).
extension SQLDeliveryStore {
    /// The ids of `ids` seen within the deduplication window (after `cutoff`): duplicates. On PostgreSQL
    /// the others are marked seen `now` by the same statement (``mark(_:now:after:dialect:db:)``).
    func duplicates(among ids: Set<String>, now: Int64, after cutoff: Int64, db: any SQLExecutor) async throws -> Set<String> {
        switch backend.dialect.kind {
        case .postgres:
            return ids.subtracting(try await Self.mark(ids, now: now, after: cutoff, dialect: backend.dialect, db: db))
        case .sqlite:
            try await refreshSeen(db)
            return ids.subtracting(seenLog.withLock { $0.fresh(ids, after: cutoff) })
        }
    }

    /// Keeps the marks of the invocations `stored`, of the `fresh` ids offered. Those refused for a full
    /// queue lose theirs (PostgreSQL) or never get one (SQLite): a retry of the call must be stored.
    func keepMarks(stored: [String], fresh: Set<String>, now: Int64, db: any SQLExecutor) async throws {
        switch backend.dialect.kind {
        case .postgres:
            let refused = fresh.subtracting(stored)
            if !refused.isEmpty { try await Self.unmark(refused, dialect: backend.dialect, db: db) }
        case .sqlite:
            guard !stored.isEmpty else { return }
            try await db.execute("INSERT INTO delivery_seen (seen_at, ids) VALUES (?, ?)", [.integer(now), .text(SeenLog.encode(stored))])
        }
    }

    /// Deletes the oldest marks older than the window (seen at or before `cutoff`), at most about
    /// `limit` (on SQLite, whole rows).
    func sweepMarks(through cutoff: Int64, limit: Int, db: any SQLExecutor) async throws {
        switch backend.dialect.kind {
        case .postgres:
            try await Self.sweepTable(through: cutoff, limit: limit, dialect: backend.dialect, db: db)
        case .sqlite:
            try await refreshSeen(db)
            guard let last = seenLog.withLock({ $0.expire(through: cutoff, limit: limit) }) else { return }
            // A row another process appended with a later time (its clock behind) stays.
            try await db.execute("DELETE FROM delivery_seen WHERE number <= ? AND seen_at <= ?", [.integer(last), .integer(cutoff)])
        }
    }

    /// Applies the rows of `delivery_seen` committed since the last look (SQLite): this process's and
    /// any other's. At the store's start, every row: ``seenRowsAtOnce`` at a time, so that a window of
    /// a million marks is never all in memory twice (as rows, then as marks).
    func refreshSeen(_ db: any SQLExecutor) async throws {
        while true {
            let after = seenLog.withLock { $0.lastRow }
            let rows = try await db.execute(
                "SELECT number, seen_at, ids FROM delivery_seen WHERE number > ? ORDER BY number LIMIT ?", [.integer(after), .integer(Int64(Self.seenRowsAtOnce))])
            let decoded = try rows.map { try seenRow($0) }
            let hollowed = seenLog.withLock { log in
                for row in decoded { log.apply(number: row.number, seenAt: row.seenAt, ids: row.ids) }
                return log.trim(toAtMost: configuration.maxMarks)
            }
            if let hollowed { marksForgotten(seenThrough: hollowed) }
            if rows.count < Self.seenRowsAtOnce { return }
        }
    }

    /// Warns, at most once every ``marksWarning``, that marks went before their window ended: calls seen
    /// up to `seenThrough` are no longer recognised when sent again. Marks past the window anyway (read
    /// at start before a sweep expired them) are no news.
    private func marksForgotten(seenThrough: Int64) {
        let millis = Self.millis(configuration.clock.now())
        guard seenThrough > dedupCutoff(now: millis) else { return }
        let now = ContinuousClock.now
        let due = state.withLock { state in
            guard state.marksWarnedAt.map({ now - $0 >= Self.marksWarning }) ?? true else { return false }
            state.marksWarnedAt = now
            return true
        }
        guard due else { return }
        let covered = max(0, millis - seenThrough) / 1000
        let message = "deduplication marks past delivery.store.max_marks: those of calls seen \(covered) s ago and earlier are forgotten, "
            + "and such a call sent again may be delivered twice; raise max_marks, shorten dedup_window, or use PostgreSQL"
        logger.warning(
            "\(message)",
            metadata: ["max_marks": "\(configuration.maxMarks)", "dedup_window": "\(configuration.dedupWindow)"])
    }

    static let marksWarning = Duration.seconds(60)

    /// The time at `now` (milliseconds since 1970) at or before which marks are past the window.
    func dedupCutoff(now: Int64) -> Int64 {
        now - Int64((configuration.dedupWindow.seconds * 1000).rounded())
    }

    static let seenRowsAtOnce = 1000

    /// Reads the marks of the window as the store opens (SQLite), and says how many and how long it took.
    func loadSeen() async throws {
        let start = ContinuousClock.now
        try await refreshSeen(backend)
        let marks = seenLog.withLock { $0.count }
        guard marks > 0 else { return }
        logger.info(
            "deduplication marks read", metadata: ["marks": "\(marks)", "duration": "\(ContinuousClock.now - start)"])
    }

    /// A row of `delivery_seen` read.
    struct SeenRow {
        var number: Int64
        var seenAt: Int64
        var ids: [String]
    }

    /// A row read; one that cannot be read (written by hand?) is logged and counts as no ids. Its calls
    /// lose their marks, and may be delivered again if sent again, which at-least-once allows; an error
    /// would have failed every enqueue from then on, and the next start.
    private func seenRow(_ row: [SQLValue]) throws -> SeenRow {
        let number = try Self.integer(row, 0)
        do {
            return try Self.seenRow(number, row)
        } catch let error as StoreError {
            logger.error("\(error)")
            return SeenRow(number: number, seenAt: 0, ids: [])
        }
    }

    private static func seenRow(_ number: Int64, _ row: [SQLValue]) throws -> SeenRow {
        do {
            guard row.count > 2, let text = row[2].text else { throw StoreError(.unreadable, "expected a text of ids in column 2") }
            return SeenRow(number: number, seenAt: try integer(row, 1), ids: try SeenLog.decode(text))
        } catch let error as StoreError {
            throw StoreError(.unreadable, "row \(number) of delivery_seen cannot be read, its calls are no longer marked seen: \(error.message)")
        }
    }

    /// Marks `ids` as seen now in the table, but for those seen within the deduplication window (after `cutoff`),
    /// and returns the ids marked: the others are duplicates.
    ///
    /// One statement both finds and marks. Between processes, a mark that another transaction is
    /// writing holds this one until that commits (then it is a duplicate) or rolls back; the ids go in
    /// order, so that two processes offered the same ones never wait for each other both ways.
    static func mark(_ ids: Set<String>, now: Int64, after cutoff: Int64, dialect: SQLDialect, db: any SQLExecutor) async throws -> Set<String> {
        var marked: Set<String> = []
        for chunk in chunks(ids.sorted()) {
            // The ids are unique, as PostgreSQL's multi-row upsert needs.
            let rows = try await db.execute(
                "INSERT INTO delivery_dedup (invocation_id, seen_at) " + dialect.rows(chunk.count, of: [.text, .bigint])
                    + " ON CONFLICT (invocation_id) DO UPDATE SET seen_at = excluded.seen_at WHERE delivery_dedup.seen_at <= ?"
                    + " RETURNING invocation_id",
                dialect.binds(rows: chunk.map { [.text($0), .integer(now)] }, of: [.text, .bigint]) + [.integer(cutoff)])
            for row in rows { if let id = row.first?.text { marked.insert(id) } }
        }
        return marked
    }

    /// Removes the marks of `ids` from the table.
    static func unmark(_ ids: Set<String>, dialect: SQLDialect, db: any SQLExecutor) async throws {
        for chunk in chunks(ids.sorted()) {
            try await db.execute(
                "DELETE FROM delivery_dedup WHERE " + dialect.among("invocation_id", chunk.count, .text),
                dialect.binds(among: chunk.map { .text($0) }, .text))
        }
    }

    /// Deletes the oldest marks of the table older than the window (seen at or before `cutoff`), at most
    /// `limit`. A mark that an enqueue is writing is left to the next sweep (`SKIP LOCKED`): waiting
    /// for it could deadlock with that enqueue.
    static func sweepTable(through cutoff: Int64, limit: Int, dialect: SQLDialect, db: any SQLExecutor) async throws {
        let oldest = "SELECT invocation_id FROM delivery_dedup WHERE seen_at <= ? ORDER BY seen_at LIMIT ?\(dialect.skipLocked)"
        try await db.execute("DELETE FROM delivery_dedup WHERE " + dialect.among("invocation_id", select: oldest), [.integer(cutoff), .integer(Int64(limit))])
    }

    /// How many expired marks a sweep deletes at most when `offered` ids were offered since the last:
    /// twice as many, and 64, so that the sweeps keep up unless the rate falls by half within a window.
    /// An unbounded sweep deleted every expired mark, at random places in the marks' index, inside the
    /// commit that every waiting 202 depends on; after a quiet spell that was a whole window's marks:
    /// with two million expired, the gateway answered nothing for 7 s.
    static func sweepLimit(offered: Int) -> Int {
        2 * offered + 64
    }

    /// The most expired marks this commit deletes (``sweepLimit(offered:)`` of the ids offered since the
    /// last sweep, these included), or nil when it does not sweep: at most once every ``dedupSweep``, a
    /// statement (a round trip to PostgreSQL) less in the other commits. (A sweep in every commit cost
    /// PostgreSQL 6-20% of its events a second.)
    func dedupSweep(offering count: Int) -> Int? {
        let now = ContinuousClock.now
        return state.withLock { state in
            state.offeredSinceSweep += count
            if let last = state.dedupSweptAt, now - last < Self.dedupSweep { return nil }
            state.dedupSweptAt = now
            defer { state.offeredSinceSweep = 0 }
            return Self.sweepLimit(offered: state.offeredSinceSweep)
        }
    }

    static let dedupSweep = Duration.seconds(1)
}
