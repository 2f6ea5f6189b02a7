import Logging
import PostgresNIO
import Synchronization

/// Statement texts that PostgreSQL keeps parsed and planned, per connection.
///
/// An unnamed statement is parsed, analysed and planned again at every run: a fifth of the server's CPU
/// in a durable ingest run, where the server shares a core with the load. Each text the stores run often
/// gets a name the first time it runs; each connection prepares a name once, on first use, and then only
/// binds and executes it.
///
/// The texts are bounded, since each named text costs every connection's server process memory for as
/// long as it lives: the stores bind lists as arrays on PostgreSQL (``SQLDialect/bindsLists``), so that
/// a statement's text does not vary with the number of rows it carries, and past ``limit`` texts,
/// statements run unnamed.
final class PostgresStatements: Sendable {
    /// The one the backends share: every connection's names come from the same texts.
    static let shared = PostgresStatements(limit: 256)

    /// The most texts named.
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// A named text: its name and its `$n` form.
    struct Named: Sendable {
        var name: String
        var sql: String
    }

    private let named = Mutex<[String: Named]>([:])

    /// The name `sql` (with `?` placeholders) runs under; nil when it runs unnamed: a statement that is not
    /// a query or a data change (transaction control, the schema's), or one past the limit. Names are
    /// numbered: a text's hash could collide, and PostgreSQL cuts names at 63 bytes.
    func named(_ sql: String) -> Named? {
        guard Self.isPreparable(sql) else { return nil }
        return named.withLock { named in
            if let known = named[sql] { return known }
            guard named.count < limit else { return nil }
            let new = Named(name: "evgw_\(named.count)", sql: PostgresBackend.numbered(sql))
            named[sql] = new
            return new
        }
    }

    /// The texts named so far.
    var texts: [Named] {
        named.withLock { Array($0.values) }
    }

    private static func isPreparable(_ sql: String) -> Bool {
        sql.hasPrefix("SELECT ") || sql.hasPrefix("INSERT ") || sql.hasPrefix("UPDATE ") || sql.hasPrefix("DELETE ") || sql.hasPrefix("WITH ")
    }
}

/// A named statement through postgres-nio's prepared statement API, which takes each statement's name
/// and text from its type: here they come from the task that runs it (read when the statement is sent),
/// so that one type serves every text. Bind types come from the bindings, as for an unnamed statement.
struct NamedStatement: PostgresPreparedStatement {
    typealias Row = [SQLValue]

    @TaskLocal static var current = PostgresStatements.Named(name: "", sql: "")

    static var name: String { current.name }
    static var sql: String { current.sql }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }

    func decodeRow(_ row: PostgresRow) throws -> [SQLValue] {
        try row.map(SQLValue.init)
    }

    /// Runs `named` with `bindings` on `connection`, preparing it there first if it is new there.
    static func run(_ named: PostgresStatements.Named, _ bindings: PostgresBindings, on connection: PostgresConnection, logger: Logger) async throws
        -> [[SQLValue]]
    {
        try await $current.withValue(named) {
            var values: [[SQLValue]] = []
            for try await row in try await connection.execute(NamedStatement(bindings: bindings), logger: logger) {
                values.append(row)
            }
            return values
        }
    }
}
