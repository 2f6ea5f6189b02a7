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
        let encoded = batches.map { $0.map { (invocation: $0, json: Self.json($0)) } }
        let lock = backend.dialect.enqueueLock
        let sweeps = dedupSweepIsDue()
        let results = try await backend.transaction(durable: true) { db in
            if let lock { try await db.execute(lock, []) }
            if sweeps { try await db.execute("DELETE FROM delivery_dedup WHERE seen_at <= ?", [.integer(cutoff)]) }
            var seen = try await Self.recentlySeen(Array(Set(batches.joined().map(\.id))), after: cutoff, db: db)
            var depths = try await self.depths(db)
            var results: [Result<EnqueueReceipt, any Error>] = []
            var stored: [(invocation: Invocation, json: String)] = []
            for batch in encoded {
                var fresh: [(invocation: Invocation, json: String)] = []
                var duplicates: [String] = []
                var batchSeen = seen
                for item in batch {
                    if batchSeen.insert(item.invocation.id).inserted { fresh.append(item) } else { duplicates.append(item.invocation.id) }
                }
                if let full = bound(fresh.map(\.invocation.function.address), depths: depths) {
                    results.append(.failure(full))
                    continue
                }
                for item in fresh { depths[item.invocation.function.address, default: 0] += 1 }
                stored += fresh
                seen = batchSeen
                results.append(.success(EnqueueReceipt(stored: fresh.map(\.invocation.id), duplicates: duplicates)))
            }
            try await Self.insert(stored, now: now, db: db)
            return (results, stored.map(\.invocation.function.address))
        }
        adjustDepths(results.1.reduce(into: [:]) { $0[$1, default: 0] += 1 })
        return results.0
    }

    /// Inserts the invocations and marks their ids as seen, many rows a statement: a round trip per
    /// invocation would make PostgreSQL's group commits slow.
    static func insert(_ items: [(invocation: Invocation, json: String)], now: Int64, db: any SQLExecutor) async throws {
        for start in stride(from: 0, to: items.count, by: 500) {
            let chunk = items[start..<min(items.count, start + 500)]
            try await db.execute(
                "INSERT INTO delivery_invocations (invocation_id, function, invocation, enqueued_at, due_at) VALUES "
                    + chunk.map { _ in "(?, ?, ?, ?, ?)" }.joined(separator: ", "),
                chunk.flatMap { item -> [SQLValue] in
                    [.text(item.invocation.id), .text(item.invocation.function.address), .text(item.json), .integer(now), .integer(now)]
                })
            // The ids are unique here (duplicates were left out), as PostgreSQL's multi-row upsert needs.
            try await db.execute(
                "INSERT INTO delivery_dedup (invocation_id, seen_at) VALUES " + chunk.map { _ in "(?, ?)" }.joined(separator: ", ")
                    + " ON CONFLICT (invocation_id) DO UPDATE SET seen_at = excluded.seen_at",
                chunk.flatMap { item -> [SQLValue] in [.text(item.invocation.id), .integer(now)] })
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
