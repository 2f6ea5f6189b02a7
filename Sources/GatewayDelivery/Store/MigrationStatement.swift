/// A statement of a migration: for every database, or for one kind only.
struct MigrationStatement: ExpressibleByStringLiteral {
    var sql: String
    /// The only kind of database it runs on; nil for every kind.
    var only: SQLDialect.Kind?

    init(stringLiteral sql: String) {
        self.sql = sql
    }

    init(_ sql: String, only: SQLDialect.Kind) {
        self.sql = sql
        self.only = only
    }

    /// Has autovacuum vacuum `table` once 10,000 of its rows are dead, whatever its size, without pauses
    /// (PostgreSQL only).
    static func autovacuumed(_ table: String) -> Self {
        Self(
            "ALTER TABLE \(table) SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_cost_delay = 0)",
            only: .postgres)
    }

    /// Whether it runs on `dialect`'s databases.
    func runs(on dialect: SQLDialect) -> Bool {
        only.map { $0 == dialect.kind } ?? true
    }
}
