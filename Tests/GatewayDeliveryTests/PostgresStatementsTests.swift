import GatewayStubs
import Logging
import PostgresNIO
import Testing

@testable import GatewayDelivery

/// Statements prepared once per connection, on the test PostgreSQL server.
struct PostgresStatementsTests {
    @Test func queriesAndChangesRunPreparedUpToTheLimitAndTheRestUnnamed() async throws {
        try await withBackend(limit: 2) { backend in
            let (rows, prepared) = try await backend.transaction(durable: false) { db in
                try await db.execute("CREATE TABLE numbers (n BIGINT PRIMARY KEY)", [])
                try await db.execute("INSERT INTO numbers (n) VALUES (?)", [.integer(1)])
                try await db.execute("INSERT INTO numbers (n) VALUES (?)", [.integer(2)])
                let rows = try await db.execute("SELECT n FROM numbers WHERE n >= ? ORDER BY n", [.integer(1)])
                // Past the limit: unnamed, and it answers all the same.
                #expect(try await db.execute("SELECT COUNT(*) FROM numbers WHERE n <= ?", [.integer(2)]) == [[.integer(2)]])
                return (rows, try await db.execute("SELECT name, statement FROM pg_prepared_statements ORDER BY name", []))
            }
            #expect(rows == [[.integer(1)], [.integer(2)]])
            #expect(
                prepared == [
                    [.text("evgw_0"), .text("INSERT INTO numbers (n) VALUES ($1)")],
                    [.text("evgw_1"), .text("SELECT n FROM numbers WHERE n >= $1 ORDER BY n")],
                ])
        }
    }

    /// The server refuses to prepare in an aborted transaction, and postgres-nio would remember that
    /// refusal for the connection's life: the statement would fail there ever after.
    @Test func aStatementFirstRunAfterAFailureInATransactionWorksInTheNext() async throws {
        try await withBackend(limit: 10) { backend in
            try await backend.execute("CREATE TABLE numbers (n BIGINT PRIMARY KEY)", [])
            try await backend.client.withConnection { connection in
                let first = PostgresBackend.Transaction(connection: connection, statements: backend.statements, logger: backend.logger)
                try await first.execute("BEGIN", [])
                try await first.execute("INSERT INTO numbers (n) VALUES (?)", [.integer(1)])
                await #expect(throws: (any Error).self) { try await first.execute("INSERT INTO numbers (n) VALUES (?)", [.integer(1)]) }
                await #expect(throws: (any Error).self) { try await first.execute("SELECT n FROM numbers WHERE n = ?", [.integer(1)]) }
                try await first.execute("ROLLBACK", [])

                let second = PostgresBackend.Transaction(connection: connection, statements: backend.statements, logger: backend.logger)
                try await second.execute("BEGIN", [])
                try await second.execute("INSERT INTO numbers (n) VALUES (?)", [.integer(3)])
                #expect(try await second.execute("SELECT n FROM numbers WHERE n = ?", [.integer(3)]) == [[.integer(3)]])
                let prepared = try await second.execute("SELECT statement FROM pg_prepared_statements ORDER BY name", [])
                #expect(prepared == [[.text("INSERT INTO numbers (n) VALUES ($1)")], [.text("SELECT n FROM numbers WHERE n = $1")], [.text("SELECT statement FROM pg_prepared_statements ORDER BY name")]])
                try await second.execute("COMMIT", [])
            }
        }
    }

    @Test func listsBindAsOneArrayEachNullsAndEmptyOnesIncluded() async throws {
        try await withBackend(limit: 10) { backend in
            let rows = try await backend.execute(
                "SELECT array_to_string(?::text[], ',', '*'), array_to_string(?::bigint[], ',', '*'), cardinality(?::text[]), cardinality(?::bigint[])",
                [
                    .list([.text("a"), .null, .text("ü,€")], .text), .list([.integer(-1), .null, .integer(Int64.max)], .bigint),
                    .list([], .text), .list([], .bigint),
                ])
            #expect(rows == [[.text("a,*,ü,€"), .text("-1,*,9223372036854775807"), .integer(0), .integer(0)]])
            await #expect(throws: StoreError.self) { try await backend.execute("SELECT ?::bigint[]", [.list([.text("1")], .bigint)]) }
        }
    }

    /// A backend with its own names, on a new database, running while `body` runs.
    private func withBackend(limit: Int, _ body: (PostgresBackend) async throws -> Void) async throws {
        try await TestPostgres.withDatabase(prefix: "statements_") { settings in
            let backend = PostgresBackend(settings: settings, statements: PostgresStatements(limit: limit), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await backend.run() }
                defer { group.cancelAll() }
                try await body(backend)
            }
        }
    }
}
