import Foundation

/// Listing, showing, replaying and dropping dead letters.
extension SQLDeliveryStore {
    static let deadLetterColumns =
        "id, invocation, destination, status, response_body, error, attempts, first_attempt_at, last_attempt_at, reason, replays, dead_at, payload"

    public func deadLetters(_ filter: DeadLetterFilter) async throws -> [DeadLetter] {
        try await ready()
        let (condition, binds) = Self.condition(filter)
        let rows = try await backend.execute("SELECT \(Self.deadLetterColumns) FROM delivery_dead_letters\(condition) ORDER BY dead_at, id", binds)
        var letters: [DeadLetter] = []
        for row in rows { letters.append(try await deadLetter(row)) }
        return letters
    }

    public func deadLetter(id: String) async throws -> DeadLetter? {
        try await ready()
        let rows = try await backend.execute("SELECT \(Self.deadLetterColumns) FROM delivery_dead_letters WHERE id = ?", [.text(id)])
        guard let row = rows.first else { return nil }
        return try await deadLetter(row)
    }

    public func replay(_ filter: DeadLetterFilter) async throws -> ReplayReport {
        try await ready()
        let (condition, binds) = Self.condition(filter)
        let now = Self.millis(configuration.clock.now())
        let limit = configuration.maxReplays
        let report = try await backend.transaction(durable: true) { db in
            var report = ReplayReport(replayed: [], refused: [])
            let rows = try await db.execute("SELECT id, function, invocation, replays, payload FROM delivery_dead_letters\(condition) ORDER BY dead_at, id", binds)
            for row in rows {
                guard let id = row[0].text, let function = row[1].text, let invocation = row[2].text else { continue }
                let replays = Int(try Self.integer(row, 3))
                guard replays < limit else {
                    report.refused.append(ReplayReport.Refusal(id: id, replays: replays, limit: limit))
                    continue
                }
                try await db.execute(
                    "INSERT INTO delivery_invocations (invocation_id, function, invocation, payload, enqueued_at, due_at, replays) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [.text(id), .text(function), .text(invocation), row[4], .integer(now), .integer(now), .integer(Int64(replays + 1))])
                try await db.execute("DELETE FROM delivery_dead_letters WHERE id = ?", [.text(id)])
                report.replayed.append(id)
            }
            return report
        }
        if !report.replayed.isEmpty {
            forgetDepths()
            wakeup.signal()
        }
        return report
    }

    @discardableResult
    public func drop(id: String) async throws -> Bool {
        try await ready()
        return try await backend.transaction(durable: true) { db in
            try await !db.execute("DELETE FROM delivery_dead_letters WHERE id = ? RETURNING id", [.text(id)]).isEmpty
        }
    }

    /// A `WHERE` clause for `filter` and its values.
    static func condition(_ filter: DeadLetterFilter) -> (String, [SQLValue]) {
        var terms: [String] = []
        var binds: [SQLValue] = []
        if let function = filter.function {
            terms.append("function = ?")
            binds.append(.text(function))
        }
        if let since = filter.since {
            terms.append("dead_at >= ?")
            binds.append(.integer(millis(since)))
        }
        if let until = filter.until {
            terms.append("dead_at < ?")
            binds.append(.integer(millis(until)))
        }
        return (terms.isEmpty ? "" : " WHERE " + terms.joined(separator: " AND "), binds)
    }

    /// A row of ``deadLetterColumns``.
    func deadLetter(_ row: [SQLValue]) async throws -> DeadLetter {
        guard let id = row[0].text, let destination = row[2].text, let reasonText = row[9].text else {
            throw StoreError(.unreadable, "a dead letter lacks its id, destination or reason: \(row)")
        }
        guard let reason = DeadLetterReason(rawValue: reasonText) else { throw StoreError(.unreadable, "dead letter \(id) has an unknown reason \(reasonText.debugDescription)") }
        let invocation = try await readInvocation(row[1], payload: row[12], row: "dead letter \(id)", db: backend)
        return DeadLetter(
            id: id, invocation: invocation, destination: destination, status: row[3].integer.map { Int($0) },
            responseBody: row[4].bytes ?? [], error: row[5].text, attempts: Int(try Self.integer(row, 6)), firstAttemptAt: Self.date(try Self.integer(row, 7)),
            lastAttemptAt: Self.date(try Self.integer(row, 8)), reason: reason, replays: Int(try Self.integer(row, 10)), deadAt: Self.date(try Self.integer(row, 11)))
    }
}
