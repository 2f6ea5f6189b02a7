import Foundation

/// The schema, created and migrated when the store opens.
///
/// `delivery_schema` holds the version reached; each migration runs in the same transaction as its
/// version's update, under a lock on PostgreSQL, so that processes starting together migrate once.
extension SQLDeliveryStore {
    /// The statements that lead from version `index` to `index + 1`. `{serial}` and `{bytes}` are the
    /// dialect's types.
    static let migrations: [[MigrationStatement]] = [
        [
            """
            CREATE TABLE delivery_invocations (
                seq {serial},
                invocation_id TEXT NOT NULL,
                function TEXT NOT NULL,
                invocation TEXT NOT NULL,
                enqueued_at BIGINT NOT NULL,
                due_at BIGINT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                first_attempt_at BIGINT,
                last_attempt_at BIGINT,
                lease_owner TEXT,
                lease_token TEXT,
                replays BIGINT NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX delivery_invocations_due ON delivery_invocations (due_at, seq)",
            "CREATE INDEX delivery_invocations_function ON delivery_invocations (function)",
            "CREATE INDEX delivery_invocations_owner ON delivery_invocations (lease_owner)",
            "CREATE TABLE delivery_dedup (invocation_id TEXT PRIMARY KEY, seen_at BIGINT NOT NULL)",
            "CREATE INDEX delivery_dedup_seen ON delivery_dedup (seen_at)",
            """
            CREATE TABLE delivery_dead_letters (
                id TEXT PRIMARY KEY,
                function TEXT NOT NULL,
                invocation TEXT NOT NULL,
                destination TEXT NOT NULL,
                status BIGINT,
                response_body {bytes} NOT NULL,
                error TEXT,
                attempts BIGINT NOT NULL,
                first_attempt_at BIGINT NOT NULL,
                last_attempt_at BIGINT NOT NULL,
                reason TEXT NOT NULL,
                replays BIGINT NOT NULL,
                dead_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX delivery_dead_letters_dead_at ON delivery_dead_letters (dead_at)",
        ],
        // Version 2: the claim's walk past full functions' due invocations reads the index alone, not
        // each invocation's row. The owner index goes: only a graceful shutdown's release of its leases
        // looks rows up by owner, while every claim and settlement moved entries in it (a page or two
        // more written to the WAL each time).
        [
            "DROP INDEX delivery_invocations_due",
            "CREATE INDEX delivery_invocations_due ON delivery_invocations (due_at, seq, function)",
            "DROP INDEX delivery_invocations_owner",
        ],
        // Version 3: the function index goes too. Only the depth counts and the status read by function
        // (every row, at most about once a second), while every enqueue, claim and settlement moved its
        // entries: without it the SQLite store spent about 3% less CPU an event, and PostgreSQL's server 4%.
        [
            "DROP INDEX delivery_invocations_function",
            // And on PostgreSQL, vacuums come sooner and unthrottled: claims walk every due-index entry
            // left since the last one (docs/delivery.md, "The queue's tables want frequent vacuums").
            .autovacuumed("delivery_invocations"),
            .autovacuumed("delivery_dedup"),
        ],
        // Version 4, SQLite only: the marks go to a table of rows appended in commit order, one per commit,
        // and are looked up in memory (``SeenLog``): the marks' key index wrote a random page an event.
        // The marks of the window move over, one row per moment seen.
        [
            MigrationStatement("CREATE TABLE delivery_seen (number INTEGER PRIMARY KEY AUTOINCREMENT, seen_at BIGINT NOT NULL, ids TEXT NOT NULL)", only: .sqlite),
            MigrationStatement(
                "INSERT INTO delivery_seen (seen_at, ids) SELECT seen_at, group_concat(length(CAST(invocation_id AS BLOB)) || ':' || invocation_id, '') "
                    + "FROM delivery_dedup GROUP BY seen_at ORDER BY seen_at", only: .sqlite),
            MigrationStatement("DROP TABLE delivery_dedup", only: .sqlite),
        ],
        // Version 5: functions are stored once per form, and queued rows name theirs (see
        // `SQLDeliveryStore+Definitions.swift`); a payload's bytes go to a column of their own instead of
        // into the JSON in base64. Rows written before name no form, leave the column null, and read as
        // they did.
        [
            "CREATE TABLE delivery_functions (definition TEXT PRIMARY KEY, function TEXT NOT NULL)",
            "ALTER TABLE delivery_invocations ADD COLUMN payload {bytes}",
            "ALTER TABLE delivery_dead_letters ADD COLUMN payload {bytes}",
        ],
    ]

    /// The schema version this code writes.
    static var schemaVersion: Int { migrations.count }

    /// Brings the schema to ``schemaVersion``.
    ///
    /// - Throws: ``StoreError`` when the database holds a newer schema than this version knows.
    func migrate() async throws {
        let dialect = backend.dialect
        try await backend.transaction(durable: true) { db in
            if let lock = dialect.migrationLock { try await db.execute(lock, []) }
            try await db.execute("CREATE TABLE IF NOT EXISTS delivery_schema (version BIGINT NOT NULL)", [])
            let rows = try await db.execute("SELECT version FROM delivery_schema", [])
            let current = try rows.first.map { Int(try Self.integer($0, 0)) } ?? 0
            if rows.isEmpty { try await db.execute("INSERT INTO delivery_schema (version) VALUES (0)", []) }
            guard current <= Self.schemaVersion else {
                throw StoreError(
                    .unreadable, "the delivery store's schema is version \(current), newer than this gateway's \(Self.schemaVersion): upgrade the gateway")
            }
            for statements in Self.migrations[current...] {
                for statement in statements where statement.runs(on: dialect) {
                    try await db.execute(statement.sql.replacingOccurrences(of: "{serial}", with: dialect.serialKey).replacingOccurrences(of: "{bytes}", with: dialect.bytesType), [])
                }
            }
            try await db.execute("UPDATE delivery_schema SET version = ?", [.integer(Int64(Self.schemaVersion))])
        }
    }
}
