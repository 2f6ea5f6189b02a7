import Foundation
import GatewayCore
import Synchronization

/// Group commits: every ``enqueue(_:)`` call waiting is stored in one transaction.
extension SQLDeliveryStore {
    /// Stores each batch all or none, in one transaction; a batch that would pass a depth bound fails
    /// alone with ``QueueFullError``.
    func commit(_ batches: [[Invocation]]) async throws -> [Result<EnqueueReceipt, any Error>] {
        let now = Self.millis(configuration.clock.now())
        let cutoff = dedupCutoff(now: now)
        let all = Array(batches.joined())
        let reserved = reserveHandoffs(all)
        // One token for the group's leases, as a claim has for its rows: their settlements go together.
        let token = reserved.isEmpty ? "" : nextToken()
        let encoded = all.enumerated().map { position, invocation in
            let (json, payload, definition) = stored(invocation)
            return Row(
                invocation: invocation, json: json, payload: payload, definition: definition,
                lease: reserved.contains(position) ? (token, leaseEnd(for: invocation.function, from: now)) : nil)
        }
        let reservedRows = encoded.filter { $0.lease != nil }
        let offered = Set(all.map(\.id))
        let sweep = dedupSweep(offering: offered.count)
        let outcome: Outcome
        do {
            outcome = try await backend.transaction(durable: true) { db in
                if let sweep { try await self.sweepMarks(through: cutoff, limit: sweep, db: db) }
                let seen = try await self.duplicates(among: offered, now: now, after: cutoff, db: db)
                var outcome = self.admit(batches.map(\.count), encoded, seen: seen, depths: try await self.depths(db))
                try await self.keepMarks(stored: outcome.stored.map(\.invocation.id), fresh: offered.subtracting(seen), now: now, db: db)
                outcome.definitions = try await self.insertDefinitions(of: outcome.stored, db: db)
                outcome.seqs = try await Self.insert(outcome.stored, owner: self.configuration.owner, now: now, dialect: self.backend.dialect, db: db)
                // Counted before the commit: the next group may run its statements while this one waits
                // for the disk, and must see these rows (a failed commit has the counts taken again).
                self.adjustDepths(outcome.stored.reduce(into: [:]) { $0[$1.invocation.function.address, default: 0] += 1 })
                return outcome
            }
        } catch {
            forgetDepths()
            releaseHandoffs(reservedRows.map(\.invocation))
            throw error
        }
        definitionsStored(outcome.definitions)
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
        /// The payload's bytes (not in `json`), or null.
        var payload: SQLValue
        /// The definition `json` names; nil when it holds the function in full.
        var definition: StoredFunctionCache.Definition?
        var lease: (token: String, end: Int64)?
    }

    /// What a commit stores and answers.
    struct Outcome: Sendable {
        var results: [Result<EnqueueReceipt, any Error>] = []
        var stored: [Row] = []
        /// The rows of the invocations stored leased, by invocation id.
        var seqs: [String: Int64] = [:]
        /// The definitions the commit inserted (see ``insertDefinitions(of:db:)``).
        var definitions: [String: FunctionSpec] = [:]
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

    /// Inserts the invocations, many rows a statement (a round trip per invocation would make
    /// PostgreSQL's group commits slow); those with a lease as a claim would have left them. Returns the
    /// rows of the leased ones, by invocation id.
    static func insert(_ rows: [Row], owner: String, now: Int64, dialect: SQLDialect, db: any SQLExecutor) async throws -> [String: Int64] {
        var seqs: [String: Int64] = [:]
        for chunk in chunks(rows) {
            // Only leased rows are read back: without them the statement returns nothing.
            let returning = chunk.contains { $0.lease != nil } ? " RETURNING invocation_id, seq" : ""
            let values = try await db.execute(
                "INSERT INTO delivery_invocations (invocation_id, function, invocation, payload, enqueued_at, due_at, attempts, first_attempt_at, "
                    + "last_attempt_at, lease_owner, lease_token) " + dialect.rows(chunk.count, of: insertedColumns) + returning,
                dialect.binds(rows: chunk.map { row in columns(row, owner: owner, now: now) }, of: insertedColumns))
            for value in values {
                guard let id = value.first?.text else { continue }
                seqs[id] = try integer(value, 1)
            }
        }
        return seqs
    }

    private static let insertedColumns: [SQLColumnType] = [.text, .text, .text, .bytea, .bigint, .bigint, .bigint, .bigint, .bigint, .text, .text]

    /// A row's values after its id, function and form: due now and never tried, or leased to `owner`
    /// with its first attempt begun.
    private static func columns(_ row: Row, owner: String, now: Int64) -> [SQLValue] {
        let start: [SQLValue] = [.text(row.invocation.id), .text(row.invocation.function.address), .text(row.json), row.payload, .integer(now)]
        guard let lease = row.lease else { return start + [.integer(now), .integer(0), .null, .null, .null, .null] }
        return start + [.integer(lease.end), .integer(1), .integer(now), .integer(now), .text(owner), .text(lease.token)]
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
}
