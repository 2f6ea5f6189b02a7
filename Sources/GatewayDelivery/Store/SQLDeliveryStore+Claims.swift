import Foundation
import GatewayCore
import Logging
import Synchronization

/// Claiming due invocations for a worker's free slots.
///
/// A claim for one slot is one `UPDATE`; for several, one `SELECT` and one `UPDATE` in a transaction.
/// A claim per slot was a write transaction each, its commit and the pages it changed written to the
/// log every time: with a backlog, a fifth of the CPU of a queued delivery.
extension SQLDeliveryStore {
    /// A claimed row: its invocation and its lease.
    private struct Claimed {
        var seq: Int64
        var invocation: Invocation
        var attempts: Int64
        var enqueuedAt: Int64
    }

    /// Claims up to `count` of the oldest due invocations, each of a function below its in-flight limit.
    func claim(_ count: Int) async throws -> [QueuedInvocation] {
        let full = state.withLock { state in state.inFlight.filter { $0.value >= state.inFlightLimits[$0.key, default: .max] }.keys.sorted() }
        guard try await mayClaim(besides: full) else { return claimed([], drained: true) }
        let now = Self.millis(configuration.clock.now())
        let lease = (token: nextToken(), end: now + Self.millis(configuration.lease))
        let (rows, drained) = count == 1 ? try await claimOne(besides: full, now: now, lease: lease) : try await claimGroup(count, besides: full, now: now, lease: lease)
        var items: [QueuedInvocation] = []
        for row in rows {
            // A function whose timeout outlasts the store's lease gets a longer one before its call.
            guard try await coverCall(of: row.invocation.function, lease: Lease(seq: row.seq, token: lease.token), endingAt: lease.end, now: now) else { continue }
            items.append(QueuedInvocation(invocation: row.invocation, attempt: Int(row.attempts), receipt: "\(row.seq)/\(lease.token)", enqueuedAt: Self.date(row.enqueuedAt)))
        }
        return claimed(items, drained: drained)
    }

    /// The oldest due invocation of a function not `full`, leased in one statement.
    private func claimOne(besides full: [String], now: Int64, lease: (token: String, end: Int64)) async throws -> (rows: [Claimed], drained: Bool) {
        let exclusion = exclusion(full)
        let sql = """
            UPDATE delivery_invocations SET \(Self.leasing) \
            WHERE seq = (SELECT seq FROM delivery_invocations WHERE due_at <= ?\(exclusion.sql) ORDER BY due_at, seq LIMIT 1\(backend.dialect.skipLocked)) \
            RETURNING seq, invocation, attempts, enqueued_at, payload
            """
        let binds = leasingBinds(now: now, lease: lease) + [.integer(now)] + exclusion.binds
        guard let row = try await backend.execute(sql, binds).first else { return ([], true) }
        let seq = try Self.integer(row, 0)
        let invocation = try await readInvocation(row[1], payload: row[4], row: "queued invocation \(seq)", db: backend)
        return ([Claimed(seq: seq, invocation: invocation, attempts: try Self.integer(row, 2), enqueuedAt: try Self.integer(row, 3))], false)
    }

    /// Up to `count` of the oldest due invocations, picked and then leased in one transaction: those that
    /// would take a function past its in-flight limit are left due. Drained when fewer were due.
    ///
    /// The pick reads only each row's place and function (on SQLite, from the due index alone); only the
    /// leased rows' invocations are read and decoded. A claim asks for the worker's free slots, often more
    /// than its function has, so reading and decoding every row the pick looked at cost a backlog's claims
    /// about three rows for each they took.
    private func claimGroup(_ count: Int, besides full: [String], now: Int64, lease: (token: String, end: Int64)) async throws -> (rows: [Claimed], drained: Bool) {
        try await backend.transaction(durable: false) { db in
            let exclusion = exclusion(full)
            let due = try await db.execute(
                "SELECT seq, function FROM delivery_invocations WHERE due_at <= ?\(exclusion.sql) ORDER BY due_at, seq LIMIT ?\(backend.dialect.skipLocked)",
                [.integer(now)] + exclusion.binds + [.integer(Int64(count))])
            let candidates = try due.map { row in (seq: try Self.integer(row, 0), function: try Self.text(row, 1)) }
            let seqs = pick(candidates, limits: try await limits(of: candidates, db: db))
            guard !seqs.isEmpty else { return ([], due.count < count) }
            let leased = try await db.execute(
                "UPDATE delivery_invocations SET \(Self.leasing) WHERE \(backend.dialect.among("seq", seqs.count, .bigint)) "
                    + "RETURNING seq, attempts, invocation, enqueued_at, payload",
                leasingBinds(now: now, lease: lease) + backend.dialect.binds(among: seqs.map { .integer($0) }, .bigint))
            var rows: [Int64: [SQLValue]] = [:]
            for row in leased { rows[try Self.integer(row, 0)] = row }
            // In the pick's order; every row picked is leased (the transaction holds them: SQLite's write
            // lock, PostgreSQL's row locks).
            var claimed: [Claimed] = []
            for seq in seqs {
                guard let row = rows[seq] else { continue }
                do {
                    let invocation = try await readInvocation(row[2], payload: row[4], row: "queued invocation \(seq)", db: db)
                    claimed.append(Claimed(seq: seq, invocation: invocation, attempts: try Self.integer(row, 1), enqueuedAt: try Self.integer(row, 3)))
                } catch let error as StoreError where error.code == .unreadable {
                    // Leased and left out, as a lone claim leaves it: the others go on, and it is due again when the lease ends.
                    logger.error("\(error)")
                }
            }
            return (claimed, due.count < count)
        }
    }

    /// The rows (of `candidates`, oldest first) that fit their functions' free slots.
    private func pick(_ candidates: [(seq: Int64, function: String)], limits: [String: Int]) -> [Int64] {
        let inFlight = state.withLock { $0.inFlight }
        var room: [String: Int] = [:]
        var seqs: [Int64] = []
        for candidate in candidates {
            // A function whose limit is unknown (its invocations unreadable) gets one slot: every limit is at least one.
            let free = room[candidate.function] ?? (limits[candidate.function] ?? 1) - inFlight[candidate.function, default: 0]
            guard free > 0 else { continue }
            room[candidate.function] = free - 1
            seqs.append(candidate.seq)
        }
        return seqs
    }

    /// The in-flight limits of the `candidates`' functions: the store's own limit when it has one, else
    /// the one recorded when this process last claimed or handed over a call of the function. A function
    /// it has not (since its start, or one that only another process enqueued for) has its limit read
    /// from one of its invocations: once, as the claim then records it.
    private func limits(of candidates: [(seq: Int64, function: String)], db: any SQLExecutor) async throws -> [String: Int] {
        var limits = state.withLock { $0.inFlightLimits }
        if let limit = configuration.maxInFlightPerFunction {
            for candidate in candidates { limits[candidate.function] = max(1, limit) }
        }
        var unknown: [String: Int64] = [:]
        for candidate in candidates where limits[candidate.function] == nil && unknown[candidate.function] == nil {
            unknown[candidate.function] = candidate.seq
        }
        guard !unknown.isEmpty else { return limits }
        let seqs = unknown.values.sorted()
        let rows = try await db.execute(
            "SELECT invocation, payload FROM delivery_invocations WHERE " + backend.dialect.among("seq", seqs.count, .bigint),
            backend.dialect.binds(among: seqs.map { .integer($0) }, .bigint))
        for row in rows {
            guard let invocation = try? await readInvocation(row[0], payload: row[1], row: "queued invocation", db: db) else { continue }
            limits[invocation.function.address] = inFlightLimit(for: invocation.function)
        }
        return limits
    }

    /// The columns a claim sets: the lease (as the due time), its owner and token, and the attempt.
    private static let leasing = """
        due_at = ?, lease_owner = ?, lease_token = ?, attempts = attempts + 1, \
        first_attempt_at = COALESCE(first_attempt_at, ?), last_attempt_at = ?
        """

    private func leasingBinds(now: Int64, lease: (token: String, end: Int64)) -> [SQLValue] {
        [.integer(lease.end), .text(configuration.owner), .text(lease.token), .integer(now), .integer(now)]
    }

    /// The condition that leaves out the `full` functions' invocations, and its binds.
    private func exclusion(_ full: [String]) -> (sql: String, binds: [SQLValue]) {
        guard !full.isEmpty else { return ("", []) }
        return (" AND " + backend.dialect.among("function", full.count, .text, negated: true), backend.dialect.binds(among: full.map { .text($0) }, .text))
    }

    /// Records the leases of `items`, and whether the claim found fewer due than it asked for: enqueues
    /// hand their invocations over only while the last claim did, so that new invocations never overtake
    /// waiting ones.
    private func claimed(_ items: [QueuedInvocation], drained: Bool) -> [QueuedInvocation] {
        state.withLock { state in
            state.drained = drained
            for item in items {
                let function = item.invocation.function.address
                state.leases[item.receipt] = function
                state.inFlight[function, default: 0] += 1
                state.inFlightLimits[function] = inFlightLimit(for: item.invocation.function)
            }
        }
        return items
    }

    /// Whether a claim that leaves out the `full` functions could find anything: false when, by the
    /// depth counts, only full functions hold invocations.
    ///
    /// The claim walks the due index past every due invocation of a full function, so with a backlog
    /// for one busy function each claim read the whole backlog (and every settled call let the worker
    /// try again): draining 20,000 calls took 650-690 us of CPU per call. Invocations that other
    /// processes enqueue show in the counts at the next count (see ``recountInterval(after:)``).
    private func mayClaim(besides full: [String]) async throws -> Bool {
        guard !full.isEmpty else { return true }
        let counts = try await depths(backend)
        return counts.contains { function, count in count > 0 && !full.contains(function) }
    }
}
