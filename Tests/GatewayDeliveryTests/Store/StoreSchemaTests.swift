import Foundation
import GatewayDelivery
import PostgresNIO
import SQLiteNIO
import Testing

extension StoreSuite {
    /// The schema: created on the first start, kept on the next, migrated from an older one, and a newer
    /// one refused.
    struct StoreSchemaTests {
        typealias T = StoreTesting

        /// Runs one statement straight on the database, beside the store; returns the first column of
        /// the first row as an integer, if any.
        static func raw(_ backend: DeliveryStoreConfiguration.Backend, _ sql: String) async throws -> Int? {
            switch backend {
            case .sqlite(let path):
                let connection = try await SQLiteConnection.open(storage: .file(path: path))
                defer { Task { try? await connection.close() } }
                return try await connection.query(sql).first?.columns.first?.data.integer.map { Int($0) }
            case .postgres(let settings):
                let client = PostgresClient(
                    configuration: .init(
                        host: settings.host, port: settings.port, username: settings.username, password: settings.password,
                        database: settings.database, tls: .disable),
                    backgroundLogger: Support.quiet)
                return try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await client.run() }
                    defer { group.cancelAll() }
                    for try await (value) in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(Int64?.self) {
                        return value.map { Int($0) }
                    }
                    return nil
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func theSchemaIsCreatedOnceAndANewerOneIsRefused(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend)
                try await T.withStore(configuration) { store in
                    try await store.enqueue([try T.invocation(1)])
                }
                let depth = try await T.withStore(configuration) { store in try await store.status().total.depth }
                #expect(depth == 1)
                #expect(try await Self.raw(backend, "SELECT version FROM delivery_schema") == 5)
                #expect(try await Self.raw(backend, "SELECT COUNT(*) FROM delivery_schema") == 1)
                if case .sqlite(let path) = backend {
                    // WAL mode is a property of the file: another connection sees it.
                    let connection = try await SQLiteConnection.open(storage: .file(path: path))
                    #expect(try await connection.query("PRAGMA journal_mode").first?.columns.first?.data.string == "wal")
                    try await connection.close()
                }

                _ = try await Self.raw(backend, "UPDATE delivery_schema SET version = 99")
                let expected = StoreError(.unreadable, "the delivery store's schema is version 99, newer than this gateway's 5: upgrade the gateway")
                let store = SQLDeliveryStore(configuration: configuration, logger: Support.quiet)
                await #expect(throws: expected) { try await store.run() }
                // Calls waiting for it to open fail the same way.
                await #expect(throws: expected) { try await store.enqueue([try T.invocation(2)]) }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func aVersionOneStoreGetsTodaysIndexesAndKeepsItsInvocations(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend)
                try await T.withStore(configuration) { store in try await store.enqueue([try T.invocation(1)]) }
                try await Self.backToVersionFourRows(backend, [try T.invocation(1)])
                // Back to version 1's index.
                _ = try await Self.raw(backend, "DROP INDEX delivery_invocations_due")
                _ = try await Self.raw(backend, "CREATE INDEX delivery_invocations_due ON delivery_invocations (due_at, seq)")
                _ = try await Self.raw(backend, "CREATE INDEX delivery_invocations_owner ON delivery_invocations (lease_owner)")
                _ = try await Self.raw(backend, "CREATE INDEX delivery_invocations_function ON delivery_invocations (function)")
                try await Self.backToVersionThreeMarks(backend, kind)
                _ = try await Self.raw(backend, "UPDATE delivery_schema SET version = 1")
                #expect(try await Self.raw(backend, Self.dueIndexColumns(kind)) == 2)
                #expect(try await Self.raw(backend, Self.indexes("delivery_invocations_owner", kind)) == 1)
                #expect(try await Self.raw(backend, Self.indexes("delivery_invocations_function", kind)) == 1)

                let claimed = try await T.withStore(configuration) { store in try await store.next()?.invocation }
                #expect(claimed == (try T.invocation(1)))
                #expect(try await Self.raw(backend, "SELECT version FROM delivery_schema") == 5)
                #expect(try await Self.raw(backend, "SELECT COUNT(*) FROM delivery_functions") == 0)
                #expect(try await Self.raw(backend, Self.dueIndexColumns(kind)) == 3)
                #expect(try await Self.raw(backend, Self.indexes("delivery_invocations_owner", kind)) == 0)
                #expect(try await Self.raw(backend, Self.indexes("delivery_invocations_function", kind)) == 0)
                #expect(try await T.withStore(configuration) { store in try await store.status().total.depth } == 1)
                if kind == .postgres {
                    for table in ["delivery_invocations", "delivery_dedup"] {
                        let settings = "SELECT COUNT(*) FROM pg_class WHERE relname = '\(table)' AND reloptions @> "
                            + "ARRAY['autovacuum_vacuum_scale_factor=0', 'autovacuum_vacuum_threshold=10000', 'autovacuum_vacuum_cost_delay=0']"
                        #expect(try await Self.raw(backend, settings) == 1, "\(table)")
                    }
                }
            }
        }

        /// Back to version 4's rows: `invocations` (queued) hold their functions in full and their payloads
        /// in base64, and no table of definitions, no payload columns.
        static func backToVersionFourRows(_ backend: DeliveryStoreConfiguration.Backend, _ invocations: [Invocation]) async throws {
            for invocation in invocations {
                let inline = String(decoding: invocation.storedJSON(), as: UTF8.self).replacingOccurrences(of: "'", with: "''")
                _ = try await raw(backend, "UPDATE delivery_invocations SET invocation = '\(inline)' WHERE invocation_id = '\(invocation.id)'")
            }
            _ = try await raw(backend, "DROP TABLE delivery_functions")
            _ = try await raw(backend, "ALTER TABLE delivery_invocations DROP COLUMN payload")
            _ = try await raw(backend, "ALTER TABLE delivery_dead_letters DROP COLUMN payload")
        }

        /// On SQLite, back to version 3's marks: a table keyed by id, no rows appended per commit.
        static func backToVersionThreeMarks(_ backend: DeliveryStoreConfiguration.Backend, _ kind: StoreKind) async throws {
            guard kind == .sqlite else { return }
            _ = try await raw(backend, "DROP TABLE delivery_seen")
            _ = try await raw(backend, "CREATE TABLE delivery_dedup (invocation_id TEXT PRIMARY KEY, seen_at BIGINT NOT NULL)")
            _ = try await raw(backend, "CREATE INDEX delivery_dedup_seen ON delivery_dedup (seen_at)")
        }

        /// Version 4 moves SQLite's marks within the window to rows appended per commit, and drops their
        /// table: an event seen before the upgrade is still a duplicate after it.
        @Test func aVersionThreeSQLiteStoreKeepsItsMarks() async throws {
            let clock = ManualClock()
            try await T.withDatabase(.sqlite) { backend in
                let configuration = T.configuration(backend, clock: clock.store) { $0.dedupWindow = .seconds(600) }
                try await T.withStore(configuration) { store in _ = try await store.status() }
                try await Self.backToVersionFourRows(backend, [])
                try await Self.backToVersionThreeMarks(backend, .sqlite)
                let now = Int64(clock.date.timeIntervalSince1970 * 1000)
                let (one, two, three) = (try T.invocation(1).id, try T.invocation(2).id, try T.invocation(3).id)
                // One and two seen at the same moment (one row), three past the window.
                _ = try await Self.raw(
                    backend, "INSERT INTO delivery_dedup (invocation_id, seen_at) VALUES ('\(one)', \(now - 1000)), ('\(two)', \(now - 1000)), ('\(three)', \(now - 700_000))")
                _ = try await Self.raw(backend, "UPDATE delivery_schema SET version = 3")

                let receipt = try await T.withStore(configuration) { store in try await store.enqueue(try [1, 2, 3, 4].map { try T.invocation($0) }) }
                #expect(receipt == EnqueueReceipt(stored: [three, try T.invocation(4).id], duplicates: [one, two]))
                #expect(try await Self.raw(backend, "SELECT version FROM delivery_schema") == 5)
                #expect(try await Self.raw(backend, Self.indexes("delivery_dedup", .sqlite)) == 0)
                // The first moment's row and the commit's; the expired moment's went with the first sweep.
                #expect(try await Self.raw(backend, "SELECT COUNT(*) FROM delivery_seen") == 2)
            }
        }

        /// A query for the number of indexes named `name`.
        static func indexes(_ name: String, _ kind: StoreKind) -> String {
            switch kind {
            case .sqlite: "SELECT COUNT(*) FROM sqlite_master WHERE name = '\(name)'"
            case .postgres: "SELECT COUNT(*) FROM pg_class WHERE relname = '\(name)'"
            }
        }

        /// A query for the number of columns in the due index.
        static func dueIndexColumns(_ kind: StoreKind) -> String {
            switch kind {
            case .sqlite: "SELECT COUNT(*) FROM pragma_index_info('delivery_invocations_due')"
            case .postgres: "SELECT indnatts::bigint FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid WHERE relname = 'delivery_invocations_due'"
            }
        }
    }
}
