/// Figures for the CLI and metrics.
extension SQLDeliveryStore {
    public func status() async throws -> QueueStatus {
        try await ready()
        let now = Self.millis(configuration.clock.now())
        let (held, dead) = try await readingWholeTables { db in
            let held = try await db.execute(
                """
                SELECT function, COUNT(*), COUNT(*) FILTER (WHERE lease_token IS NOT NULL AND due_at > ?), MIN(enqueued_at) \
                FROM delivery_invocations GROUP BY function
                """, [.integer(now)])
            return (held, try await db.execute("SELECT function, COUNT(*) FROM delivery_dead_letters GROUP BY function", []))
        }
        var functions: [String: QueueStatus.Figures] = [:]
        for row in held {
            guard let function = row[0].text else { continue }
            functions[function, default: .init()].depth = Int(try Self.integer(row, 1))
            functions[function, default: .init()].inFlight = Int(try Self.integer(row, 2))
            functions[function, default: .init()].oldestAge = .milliseconds(max(0, now - (try Self.integer(row, 3))))
        }
        for row in dead {
            guard let function = row[0].text else { continue }
            functions[function, default: .init()].deadLetters = Int(try Self.integer(row, 1))
        }
        let figures = functions.values
        let total = QueueStatus.Figures(
            depth: figures.map(\.depth).reduce(0, +), inFlight: figures.map(\.inFlight).reduce(0, +), deadLetters: figures.map(\.deadLetters).reduce(0, +),
            oldestAge: figures.compactMap(\.oldestAge).max())
        return QueueStatus(functions: functions, total: total)
    }
}
