import Foundation
import GatewayCore
import Synchronization

/// Group commits: every ``enqueue(_:)`` call waiting is stored in one transaction.
extension SQLDeliveryStore {
    /// Stores each batch all or none, in one transaction; a batch that would pass a depth bound fails
    /// alone with ``QueueFullError``.
    func commit(_ batches: [[Invocation]]) async throws -> [Result<EnqueueReceipt, any Error>] {
        let now = Self.millis(configuration.clock.now())
        let cutoff = now - Int64((configuration.dedupWindow.seconds * 1000).rounded())
        let all = Array(batches.joined())
        let reserved = reserveHandoffs(all)
        let encoded = all.enumerated().map { position, invocation in
            Row(invocation: invocation, json: Self.json(invocation), lease: reserved.contains(position) ? (nextToken(), leaseEnd(for: invocation.function, from: now)) : nil)
        }
        let reservedRows = encoded.filter { $0.lease != nil }
        let lock = backend.dialect.enqueueLock
        let sweeps = dedupSweepIsDue()
        let outcome: Outcome
        do {
            outcome = try await backend.transaction(durable: true) { db in
                if let lock { try await db.execute(lock, []) }
                if sweeps { try await db.execute("DELETE FROM delivery_dedup WHERE seen_at <= ?", [.integer(cutoff)]) }
                let seen = try await Self.recentlySeen(Array(Set(all.map(\.id))), after: cutoff, db: db)
                var outcome = self.admit(batches.map(\.count), encoded, seen: seen, depths: try await self.depths(db))
                try await Self.insert(outcome.stored.filter { $0.lease == nil }.map { ($0.invocation, $0.json) }, now: now, db: db)
                let leased = outcome.stored.compactMap { row in row.lease.map { (row.invocation, row.json, $0.token, $0.end) } }
                outcome.seqs = try await Self.insertLeased(leased, owner: configuration.owner, now: now, db: db)
                try await Self.mark(outcome.stored.map(\.invocation.id), now: now, db: db)
                return outcome
            }
        } catch {
            releaseHandoffs(reservedRows.map(\.invocation))
            throw error
        }
        adjustDepths(outcome.stored.reduce(into: [:]) { $0[$1.invocation.function.address, default: 0] += 1 })
        let handoffs = outcome.stored.compactMap { row -> Handoff? in
            guard let lease = row.lease, let seq = outcome.seqs[row.invocation.id] else { return nil }
            return Handoff(
                item: QueuedInvocation(invocation: row.invocation, attempt: 1, receipt: "\(seq)/\(lease.token)", enqueuedAt: Self.date(now)),
                lease: Lease(seq: seq, token: lease.token), leaseEnd: lease.end)
        }
        let handedOver = Set(handoffs.map(\.item.invocation.id))
        releaseHandoffs(reservedRows.filter { !handedOver.contains($0.invocation.id) }.map(\.invocation))
        handOff(handoffs)
        return outcome.results
    }

    /// An invocation to store, and its lease when it goes straight to a waiting worker.
    struct Row: Sendable {
        var invocation: Invocation
        var json: String
        var lease: (token: String, end: Int64)?
    }

    /// What a commit stores and answers.
    struct Outcome: Sendable {
        var results: [Result<EnqueueReceipt, any Error>] = []
        var stored: [Row] = []
        /// The rows of the invocations stored leased, by invocation id.
        var seqs: [String: Int64] = [:]
    }

    /// Each batch (`counts` rows of `rows` in turn) all or none: duplicates within the window (`seen`)
    /// are acknowledged and left out, and a batch that would pass a depth bound fails alone.
    func admit(_ counts: [Int], _ rows: [Row], seen: Set<String>, depths: [String: Int]) -> Outcome {
        var outcome = Outcome()
        var seen = seen
        var depths = depths
        var start = 0
        for count in counts {
            let batch = rows[start..<start + count]
            start += count
            var fresh: [Row] = []
            var duplicates: [String] = []
            var batchSeen = seen
            for row in batch {
                if batchSeen.insert(row.invocation.id).inserted { fresh.append(row) } else { duplicates.append(row.invocation.id) }
            }
            if let full = bound(fresh.map(\.invocation.function.address), depths: depths) {
                outcome.results.append(.failure(full))
                continue
            }
            for row in fresh { depths[row.invocation.function.address, default: 0] += 1 }
            outcome.stored += fresh
            seen = batchSeen
            outcome.results.append(.success(EnqueueReceipt(stored: fresh.map(\.invocation.id), duplicates: duplicates)))
        }
        return outcome
    }

    /// Inserts the invocations, many rows a statement: a round trip per invocation would make
    /// PostgreSQL's group commits slow.
    static func insert(_ items: [(invocation: Invocation, json: String)], now: Int64, db: any SQLExecutor) async throws {
        for start in stride(from: 0, to: items.count, by: 500) {
            let chunk = items[start..<min(items.count, start + 500)]
            try await db.execute(
                "INSERT INTO delivery_invocations (invocation_id, function, invocation, enqueued_at, due_at) VALUES "
                    + chunk.map { _ in "(?, ?, ?, ?, ?)" }.joined(separator: ", "),
                chunk.flatMap { item -> [SQLValue] in
                    [.text(item.invocation.id), .text(item.invocation.function.address), .text(item.json), .integer(now), .integer(now)]
                })
        }
    }

    /// Marks the ids as seen now.
    static func mark(_ ids: [String], now: Int64, db: any SQLExecutor) async throws {
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = ids[start..<min(ids.count, start + 500)]
            // The ids are unique here (duplicates were left out), as PostgreSQL's multi-row upsert needs.
            try await db.execute(
                "INSERT INTO delivery_dedup (invocation_id, seen_at) VALUES " + chunk.map { _ in "(?, ?)" }.joined(separator: ", ")
                    + " ON CONFLICT (invocation_id) DO UPDATE SET seen_at = excluded.seen_at",
                chunk.flatMap { id -> [SQLValue] in [.text(id), .integer(now)] })
        }
    }

    /// The error for a batch of invocations (by function) that does not fit; nil when it fits.
    func bound(_ functions: [String], depths: [String: Int]) -> QueueFullError? {
        let held = depths.values.reduce(0, +)
        if held + functions.count > configuration.maxDepth {
            return QueueFullError(capacity: configuration.maxDepth, held: held, offered: functions.count, retryAfter: configuration.queueFullRetryAfter)
        }
        var offered: [String: Int] = [:]
        for function in functions { offered[function, default: 0] += 1 }
        for (function, count) in offered.sorted(by: { $0.key < $1.key }) where depths[function, default: 0] + count > configuration.maxDepthPerFunction {
            return QueueFullError(
                capacity: configuration.maxDepthPerFunction, held: depths[function, default: 0], offered: count, function: function,
                retryAfter: configuration.queueFullRetryAfter)
        }
        return nil
    }

    /// Whether this commit deletes the marks older than the deduplication window: at most once every
    /// ``dedupSweep``, a statement (a round trip to PostgreSQL) less in the other commits.
    func dedupSweepIsDue() -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            if let last = state.dedupSweptAt, now - last < Self.dedupSweep { return false }
            state.dedupSweptAt = now
            return true
        }
    }

    static let dedupSweep = Duration.seconds(1)

    /// The ids among `ids` seen within the deduplication window, that is after `cutoff` (older marks not
    /// swept yet do not count).
    static func recentlySeen(_ ids: [String], after cutoff: Int64, db: any SQLExecutor) async throws -> Set<String> {
        var seen: Set<String> = []
        // Chunks keep each statement well below both databases' limits on bound values.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = ids[start..<min(ids.count, start + 500)]
            let placeholders = chunk.map { _ in "?" }.joined(separator: ", ")
            let rows = try await db.execute(
                "SELECT invocation_id FROM delivery_dedup WHERE seen_at > ? AND invocation_id IN (\(placeholders))", [.integer(cutoff)] + chunk.map { .text($0) })
            for row in rows { if let id = row.first?.text { seen.insert(id) } }
        }
        return seen
    }
}
