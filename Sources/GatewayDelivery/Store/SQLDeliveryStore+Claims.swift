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
        let sql = """
            UPDATE delivery_invocations SET \(Self.leasing) \
            WHERE seq = (SELECT seq FROM delivery_invocations WHERE due_at <= ?\(exclusion(full)) ORDER BY due_at, seq LIMIT 1\(backend.dialect.skipLocked)) \
            RETURNING seq, invocation, attempts, enqueued_at
            """
        let binds = leasingBinds(now: now, lease: lease) + [.integer(now)] + full.map { .text($0) }
        guard let row = try await backend.execute(sql, binds).first else { return ([], true) }
        let seq = try Self.integer(row, 0)
        let invocation = try Self.invocation(row[1], row: "queued invocation \(seq)")
        return ([Claimed(seq: seq, invocation: invocation, attempts: try Self.integer(row, 2), enqueuedAt: try Self.integer(row, 3))], false)
    }

    /// Up to `count` of the oldest due invocations, read and then leased in one transaction: those that
    /// would take a function past its in-flight limit are left due. Drained when fewer were due.
    private func claimGroup(_ count: Int, besides full: [String], now: Int64, lease: (token: String, end: Int64)) async throws -> (rows: [Claimed], drained: Bool) {
        try await backend.transaction(durable: false) { db in
            let due = try await db.execute(
                "SELECT seq, invocation, enqueued_at FROM delivery_invocations WHERE due_at <= ?\(exclusion(full)) ORDER BY due_at, seq LIMIT \(count)\(backend.dialect.skipLocked)",
                [.integer(now)] + full.map { .text($0) })
            let inFlight = state.withLock { $0.inFlight }
            var taken: [Claimed] = []
            var unreadable: [Int64] = []
            var room: [String: Int] = [:]
            for row in due {
                let seq = try Self.integer(row, 0)
                let invocation: Invocation
                do {
                    invocation = try Self.invocation(row[1], row: "queued invocation \(seq)")
                } catch {
                    // Leased and left out, as a lone claim leaves it: the others go on, and it is due again when the lease ends.
                    logger.error("\(error)")
                    unreadable.append(seq)
                    continue
                }
                let function = invocation.function.address
                let free = room[function] ?? (inFlightLimit(for: invocation.function) - inFlight[function, default: 0])
                guard free > 0 else { continue }
                room[function] = free - 1
                taken.append(Claimed(seq: seq, invocation: invocation, attempts: 0, enqueuedAt: try Self.integer(row, 2)))
            }
            let seqs = taken.map(\.seq) + unreadable
            guard !seqs.isEmpty else { return ([], due.count < count) }
            let leased = try await db.execute(
                "UPDATE delivery_invocations SET \(Self.leasing) WHERE seq IN (\(seqs.map { _ in "?" }.joined(separator: ", "))) RETURNING seq, attempts",
                leasingBinds(now: now, lease: lease) + seqs.map { .integer($0) })
            var attempts: [Int64: Int64] = [:]
            for row in leased { attempts[try Self.integer(row, 0)] = try Self.integer(row, 1) }
            // Every row read is leased: the transaction holds them (SQLite's write lock, PostgreSQL's row locks).
            let leasedRows = taken.compactMap { row -> Claimed? in
                var row = row
                guard let count = attempts[row.seq] else { return nil }
                row.attempts = count
                return row
            }
            return (leasedRows, due.count < count)
        }
    }

    /// The columns a claim sets: the lease (as the due time), its owner and token, and the attempt.
    private static let leasing = """
        due_at = ?, lease_owner = ?, lease_token = ?, attempts = attempts + 1, \
        first_attempt_at = COALESCE(first_attempt_at, ?), last_attempt_at = ?
        """

    private func leasingBinds(now: Int64, lease: (token: String, end: Int64)) -> [SQLValue] {
        [.integer(lease.end), .text(configuration.owner), .text(lease.token), .integer(now), .integer(now)]
    }

    private func exclusion(_ full: [String]) -> String {
        full.isEmpty ? "" : " AND function NOT IN (\(full.map { _ in "?" }.joined(separator: ", ")))"
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
    /// processes enqueue show in the counts within ``depthRecount``.
    private func mayClaim(besides full: [String]) async throws -> Bool {
        guard !full.isEmpty else { return true }
        let counts = try await depths(backend)
        return counts.contains { function, count in count > 0 && !full.contains(function) }
    }
}
