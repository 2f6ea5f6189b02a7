import Foundation
import GatewayCore
import PostgresNIO
import Testing

@testable import GatewayDelivery

extension StoreSuite {
    /// PostgreSQL plans the queue's statements once, without their parameters' values, and keeps the plan
    /// whatever the tables hold later. A plan made on an empty table must still read by an index: one
    /// that scans the whole table is fine while it is empty and ruinous with a backlog.
    struct StorePlanTests {
        typealias T = StoreTesting

        /// Statements that read a whole table by design: the depth counts and the status (kept apart
        /// in time).
        static let wholeTable = ["SELECT function, COUNT(*)"]

        @Test func everyStatementTheQueueRunsReadsItsTablesByAnIndexWhenPlannedOnEmptyTables() async throws {
            try await T.withDatabase(.postgres) { backend in
                let store = SQLDeliveryStore(configuration: T.configuration(backend), logger: Support.quiet)
                try await Support.running([store]) {
                    try await Self.exercise(store)
                    let postgres = try #require(store.backend as? PostgresBackend)
                    let texts = PostgresStatements.shared.texts.filter { $0.sql.contains("delivery_invocations") || $0.sql.contains("delivery_dedup") }
                    // Enqueues, marks, claims (one and several), settlements, retries, dead letters, replays, counts.
                    #expect(texts.count >= 10)
                    var unindexed: [String] = []
                    try await postgres.client.withConnection { connection in
                        // Emptied again (unnamed), as the plans below see the tables.
                        for table in ["delivery_invocations", "delivery_dedup"] {
                            _ = try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table)"), logger: Support.quiet).collect()
                            _ = try await connection.query(PostgresQuery(unsafeSQL: "ANALYZE \(table)"), logger: Support.quiet).collect()
                        }
                        for (index, text) in texts.enumerated() where !Self.wholeTable.contains(where: text.sql.hasPrefix) {
                            let scans = try await Self.genericPlanScans(text.sql, name: "plan_check_\(index)", on: connection)
                            unindexed += scans.filter { !$0.indexed }.map { "\($0.description) in: \(text.sql)" }
                        }
                    }
                    #expect(unindexed == [])
                }
            }
        }

        /// SQLite plans each statement as it runs; the release of leases at shutdown must read the due
        /// index (the leases are the rows due later), not every row of a backlog.
        @Test func theReleaseOfLeasesReadsTheDueIndexOnSQLite() async throws {
            try await T.withDatabase(.sqlite) { backend in
                let store = SQLDeliveryStore(configuration: T.configuration(backend), logger: Support.quiet)
                try await Support.running([store]) {
                    try await store.ready()
                    let plan = try await store.backend.execute("EXPLAIN QUERY PLAN " + SQLDeliveryStore.releaseStatement, [.integer(1), .integer(1), .text("x")])
                    #expect(plan.compactMap { $0.last?.text } == ["SEARCH delivery_invocations USING INDEX delivery_invocations_due (due_at>?)"])
                }
            }
        }

        /// The counts read every row, so they run with whole-table scans allowed (read through an index,
        /// one page at a time, they took three times as long); the rest of their transaction rules them
        /// out again, as the connection does.
        @Test func theCountsScanWholeTablesAndTheRestOfTheirTransactionDoesNot() async throws {
            try await T.withDatabase(.postgres) { backend in
                let store = SQLDeliveryStore(configuration: T.configuration(backend), logger: Support.quiet)
                try await Support.running([store]) {
                    let queued = try (1...5).map { try T.invocation($0) }
                    try await store.enqueue(queued)
                    let settings = "SELECT current_setting('enable_seqscan') || current_setting('enable_bitmapscan')"
                    let seen = try await store.backend.transaction(durable: false) { db in
                        let during = try await SQLDeliveryStore.scanningWholeTables(store.backend.dialect, db) {
                            (try await SQLDeliveryStore.countDepths(db), try await db.execute(settings, []))
                        }
                        return (during.0, during.1, try await db.execute(settings, []))
                    }
                    #expect(seen.0 == [queued[0].function.address: 5])
                    #expect(seen.1 == [[.text("onon")]])
                    #expect(seen.2 == [[.text("offoff")]])
                    #expect(try await store.backend.execute(settings, []) == [[.text("offoff")]])
                    #expect(try await store.status().total.depth == 5)
                }
            }
        }

        /// Enqueues, claims one and several (past a full function), acknowledges, retries, dead-letters,
        /// replays, counts and releases the leases held, so that every statement of the queue runs once.
        static func exercise(_ store: SQLDeliveryStore) async throws {
            let f = try (1...6).map { try T.invocation($0) }
            let g = try (7...8).map { try T.invocation($0, function: "g") }
            try await store.enqueue(f + g)
            let first = try await store.next(upTo: 10)
            #expect(first.count == 6)
            // f is at its limit: claims that leave it out, several and one.
            #expect(try await T.next(store, upTo: 10, within: .milliseconds(200)).isEmpty)
            #expect(try await T.next(store, within: .milliseconds(200)) == nil)
            try await store.ack(first[0])
            try await store.retry(first[1], result: result(first[1], status: 500), after: .zero)
            try await store.deadLetter(first[2], result: result(first[2], status: 400), reason: .terminalStatus)
            _ = try await T.next(store, upTo: 10, within: .seconds(5))
            _ = try await T.next(store, within: .milliseconds(100))
            _ = try await store.replay(DeadLetterFilter())
            _ = try await store.status()
            try await store.enqueue(f)
            await store.releaseLeases()
        }

        static func result(_ item: QueuedInvocation, status: Int) -> InvocationResult {
            InvocationResult(invocationID: item.invocation.id, function: item.invocation.function.name, topics: [], envelopeIDs: [], status: status)
        }

        /// The scans of the generic plan of `sql` (with `$n` parameters), prepared as `name`.
        static func genericPlanScans(_ sql: String, name: String, on connection: PostgresConnection) async throws -> [Scan] {
            let parameters = sql.matches(of: /\$(\d+)/).compactMap { Int($0.output.1) }.max() ?? 0
            let nulls = parameters == 0 ? "" : "(" + Array(repeating: "NULL", count: parameters).joined(separator: ", ") + ")"
            _ = try await connection.query(PostgresQuery(unsafeSQL: "PREPARE \(name) AS \(sql)"), logger: Support.quiet).collect()
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) EXECUTE \(name)\(nulls)"), logger: Support.quiet).collect()
            _ = try await connection.query(PostgresQuery(unsafeSQL: "DEALLOCATE \(name)"), logger: Support.quiet).collect()
            let json = try #require(try rows.first?.decode(String.self))
            let plans = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            return plans.flatMap { Scan.all(in: $0["Plan"] as? [String: Any] ?? [:]) }
        }

        /// A plan node that reads one of the queue's tables.
        struct Scan: CustomStringConvertible {
            var node: String
            var relation: String
            var indexed: Bool

            var description: String { "\(node) on \(relation)" }

            static func all(in plan: [String: Any]) -> [Scan] {
                var scans: [Scan] = []
                if let relation = plan["Relation Name"] as? String, let node = plan["Node Type"] as? String, node != "ModifyTable" {
                    scans.append(Scan(node: node, relation: relation, indexed: node.hasPrefix("Index") && plan["Index Cond"] != nil))
                }
                for child in plan["Plans"] as? [[String: Any]] ?? [] { scans += all(in: child) }
                return scans
            }
        }
    }
}
