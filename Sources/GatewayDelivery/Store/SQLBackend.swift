/// A value bound to or read from a statement: the four kinds the stores use, and lists of them to bind on
/// PostgreSQL (see ``SQLDialect/bindsLists``).
enum SQLValue: Sendable, Hashable {
    case integer(Int64)
    case text(String)
    case bytes([UInt8])
    case null
    /// Values of one type (or null), bound as one array.
    case list([SQLValue], SQLColumnType)

    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    var bytes: [UInt8]? {
        switch self {
        case .bytes(let value): return value
        case .text(let value): return Array(value.utf8)
        default: return nil
        }
    }
}

/// Runs statements: a connection inside a transaction, or the backend outside one.
///
/// Statements are written with `?` placeholders; the PostgreSQL backend numbers them.
protocol SQLExecutor: Sendable {
    /// Runs one statement and returns its rows, each a list of column values in the statement's order.
    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]]
}

/// The type of a column whose values a statement binds as a list.
enum SQLColumnType: String, Sendable, Hashable {
    case text
    case bigint
    case bytea
}

/// The few places where SQLite and PostgreSQL differ.
struct SQLDialect: Sendable {
    enum Kind: Sendable, Hashable {
        case sqlite
        case postgres
    }

    var kind: Kind
    /// The type of an auto-incrementing integer primary key column.
    var serialKey: String
    /// Binary data.
    var bytesType: String
    /// Appended to the claim's inner `SELECT`: rows other workers are claiming are skipped, not waited for.
    var skipLocked: String
    /// Run first in the migration transaction, so that processes starting together migrate one at a time.
    var migrationLock: String?
    /// Whether many rows or values go as one array each (PostgreSQL), so that a statement's text does not
    /// vary with their number, rather than as a placeholder each (SQLite).
    var bindsLists: Bool
    /// Statements that allow whole-table scans for the rest of a transaction, and rule them out again,
    /// where the connections rule them out (PostgreSQL's planning, see ``PostgresBackend``).
    var wholeTableScans: (allow: String, ruleOut: String)?

    static let sqlite = SQLDialect(
        kind: .sqlite, serialKey: "INTEGER PRIMARY KEY AUTOINCREMENT", bytesType: "BLOB", skipLocked: "", migrationLock: nil, bindsLists: false,
        wholeTableScans: nil)
    // Any constant works; this one spells "evgw".
    static let postgres = SQLDialect(
        kind: .postgres, serialKey: "BIGSERIAL PRIMARY KEY", bytesType: "BYTEA", skipLocked: " FOR UPDATE SKIP LOCKED",
        migrationLock: "SELECT pg_advisory_xact_lock(1702262647)", bindsLists: true,
        wholeTableScans: (allow: scanSettings("on"), ruleOut: scanSettings("off")))

    /// Sets whole-table and bitmap scans on or off until the transaction ends: one statement.
    private static func scanSettings(_ value: String) -> String {
        "SELECT set_config('enable_seqscan', '\(value)', true), set_config('enable_bitmapscan', '\(value)', true)"
    }
}

/// A database the ``SQLDeliveryStore`` runs on.
protocol SQLBackend: SQLExecutor {
    var dialect: SQLDialect { get }

    /// Durable transactions worth running at once: more than one only where a commit waits on another
    /// process (PostgreSQL's round trips) rather than on a lock the next would wait for too.
    var groupCommits: Int { get }

    /// Runs the connection machinery for as long as the store is open (PostgreSQL's connection pool);
    /// returns at once when there is none, and when cancelled.
    func run() async

    /// Connects and sets the connection up; the schema is the store's business.
    func open() async throws

    /// Closes the connection; later calls fail.
    func close() async

    /// Runs `body` in one transaction, committed when it returns and rolled back when it throws.
    ///
    /// - Parameter durable: Whether the commit must be on disk when this returns (enqueues, replays,
    ///   drops, the schema). Other writes (claims and settlements, in transactions or as single
    ///   statements through ``SQLExecutor/execute(_:_:)``) skip the wait for the disk: a power failure
    ///   may undo the last of them, which at-least-once delivery tolerates (an undone claim is due again,
    ///   an undone settlement is tried again). A process that is killed loses none of them.
    func transaction<T: Sendable>(durable: Bool, _ body: (any SQLExecutor) async throws -> T) async throws -> T

    /// Runs `body`'s statements, which only read but may read every row of a table, in one read
    /// transaction where they hold up no write: on SQLite, a connection and a thread of their own (a
    /// reader in WAL mode and the writer do not wait for each other); on PostgreSQL, a pooled connection.
    ///
    /// - Parameter snapshot: Runs once the transaction's view of the data is fixed. On SQLite no write
    ///   commits between the two, nor while `snapshot` runs; on PostgreSQL, whose commits run
    ///   concurrently, it runs just before `body`.
    func reading<T: Sendable>(snapshot: @Sendable () -> Void, _ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T

    /// Runs one statement and `then` with its rows. On SQLite `then` runs before any other statement, so
    /// that a ``reading(snapshot:_:)`` sees either both the statement and what `then` does, or neither.
    func execute<T>(_ sql: String, _ binds: [SQLValue], then: ([[SQLValue]]) throws -> T) async throws -> T
}

extension SQLBackend {
    func execute<T>(_ sql: String, _ binds: [SQLValue], then: ([[SQLValue]]) throws -> T) async throws -> T {
        try then(try await execute(sql, binds))
    }
}
