import GatewayCore
import Logging
import Synchronization

/// Claims for several slots in one statement, for PostgreSQL.
///
/// A claim in a transaction is four round trips to the server (`BEGIN`, the `SELECT`, the `UPDATE`,
/// `COMMIT`), and on PostgreSQL the client's work for them was a third of a queued delivery's CPU. Here
/// one `UPDATE` locks the oldest due rows (`FOR UPDATE SKIP LOCKED`), ranks them per function, and leases
/// those within each function's free slots; the rows it locked and left are free again when it ends.
extension SQLDeliveryStore {
    /// Up to `count` of the oldest due invocations, leased in one statement: per function at most its
    /// free slots, as this process knows them. A function it has not seen yet (whose limit it cannot
    /// know before reading a row) may get more than its limit allows: those rows are handed back as they
    /// were. Drained when fewer were due.
    func claimGroupInOneStatement(
        _ count: Int, besides full: [String], now: Int64, lease: (token: String, end: Int64)
    ) async throws -> (rows: [Claimed], drained: Bool) {
        let rooms = freeSlots(besides: full)
        let fallback = Int64(configuration.maxInFlightPerFunction ?? count)
        let roomValues = rooms.map { _ in "(CAST(? AS TEXT), CAST(? AS BIGINT))" }.joined(separator: ", ")
        let sql = """
            WITH due AS (SELECT seq AS claimed_seq, function AS claimed_function, due_at AS was_due_at, \
            first_attempt_at AS was_first_attempt_at, last_attempt_at AS was_last_attempt_at \
            FROM delivery_invocations WHERE due_at <= ?\(exclusion(full)) ORDER BY due_at, seq LIMIT \(count)\(backend.dialect.skipLocked)), \
            ranked AS (SELECT due.*, ROW_NUMBER() OVER (PARTITION BY claimed_function ORDER BY was_due_at, claimed_seq) AS rank_in_function, \
            COUNT(*) OVER () AS found FROM due)\(rooms.isEmpty ? "" : ", rooms (room_function, free) AS (VALUES \(roomValues))") \
            UPDATE delivery_invocations SET \(Self.leasing) \
            FROM ranked\(rooms.isEmpty ? "" : " LEFT JOIN rooms ON room_function = claimed_function") \
            WHERE seq = claimed_seq AND rank_in_function <= \(rooms.isEmpty ? "?" : "COALESCE(free, ?)") \
            RETURNING seq, invocation, attempts, enqueued_at, found, was_due_at, was_first_attempt_at, was_last_attempt_at
            """
        let binds: [SQLValue] =
            [.integer(now)] + full.map { .text($0) } + rooms.flatMap { [.text($0.function), .integer(Int64($0.free))] }
            + leasingBinds(now: now, lease: lease) + [.integer(fallback)]
        // `RETURNING` gives the rows in no set order: the oldest first, as the claim found them.
        let rows = try await backend.execute(sql, binds).map { row in (due: row[5].integer ?? 0, seq: row[0].integer ?? 0, row: row) }
            .sorted { ($0.due, $0.seq) < ($1.due, $1.seq) }.map(\.row)
        let found = try rows.first.map { try Self.integer($0, 4) } ?? 0
        return (try await keepWithinLimits(rows, token: lease.token), found < count)
    }

    /// Free slots per function this process has called before, but for the `full` ones.
    private func freeSlots(besides full: [String]) -> [(function: String, free: Int)] {
        state.withLock { state in
            state.inFlightLimits.compactMap { function, limit in
                full.contains(function) ? nil : (function, limit - state.inFlight[function, default: 0])
            }
            .filter { $0.free > 0 }
            .sorted { $0.function < $1.function }
        }
    }

    /// The leased rows read, each function's within its free slots; rows past them are handed back as
    /// they were. An unreadable row stays leased and is left out, as a lone claim leaves it: it is due
    /// again when the lease ends.
    private func keepWithinLimits(_ rows: [[SQLValue]], token: String) async throws -> [Claimed] {
        let inFlight = state.withLock { $0.inFlight }
        var room: [String: Int] = [:]
        var kept: [Claimed] = []
        for row in rows {
            let seq = try Self.integer(row, 0)
            let invocation: Invocation
            do {
                invocation = try Self.invocation(row[1], row: "queued invocation \(seq)")
            } catch {
                logger.error("\(error)")
                continue
            }
            let function = invocation.function.address
            let free = room[function] ?? (inFlightLimit(for: invocation.function) - inFlight[function, default: 0])
            room[function] = free - 1
            guard free > 0 else {
                try await handBack(seq: seq, token: token, row: row)
                continue
            }
            kept.append(Claimed(seq: seq, invocation: invocation, attempts: try Self.integer(row, 2), enqueuedAt: try Self.integer(row, 3)))
        }
        return kept
    }

    /// Undoes the claim of one row: its due time, attempts and attempt times as they were.
    private func handBack(seq: Int64, token: String, row: [SQLValue]) async throws {
        try await backend.execute(
            "UPDATE delivery_invocations SET due_at = ?, lease_owner = NULL, lease_token = NULL, attempts = attempts - 1, "
                + "first_attempt_at = ?, last_attempt_at = ? WHERE seq = ? AND lease_token = ?",
            [row[5], row[6], row[7], .integer(seq), .text(token)])
    }
}
