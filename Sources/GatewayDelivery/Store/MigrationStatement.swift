/// A statement of a migration: for every database, or autovacuum settings, for PostgreSQL only.
struct MigrationStatement: ExpressibleByStringLiteral {
    var sql: String
    var autovacuum = false

    init(stringLiteral sql: String) {
        self.sql = sql
    }

    /// Has autovacuum vacuum `table` once 10,000 of its rows are dead, whatever its size, without pauses.
    static func autovacuumed(_ table: String) -> Self {
        var statement = Self(
            stringLiteral: "ALTER TABLE \(table) SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_cost_delay = 0)")
        statement.autovacuum = true
        return statement
    }
}
