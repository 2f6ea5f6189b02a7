import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Two PostgreSQL connection pools (`PostgresClient`), shared with other gateway processes through the
/// database: one whose commits skip the wait for the disk (claims and settlements), and one whose commits
/// wait for it (durable transactions). Each commit's setting comes with its connection, so a durable
/// transaction needs no statement of its own to turn the wait on: a round trip less in every group commit.
final class PostgresBackend: SQLBackend {
    let dialect = SQLDialect.postgres
    let client: PostgresClient
    let durableClient: PostgresClient
    let logger: Logger

    /// Group commits running at once, each on its own connection of the durable pool (which has one
    /// more for replays and drops). Three took 6% more events a second than two (medians of seven
    /// alternated runs, 2,697 -> 2,856 with deliveries); each commit is several round trips and a wait
    /// for the server's disk.
    let groupCommits = 3

    /// The statement texts that run prepared.
    let statements: PostgresStatements

    /// - Parameter holdsConnections: Whether every connection stays open, without keep-alive queries (a
    ///   running gateway). The pool otherwise schedules an idle timer and a keep-alive timer each time a
    ///   connection goes back to it and cancels them when it is taken again, thousands of times a second
    ///   here: Dispatch's timer thread woke 14,000-16,000 times in a 5 s run, and a queued call cost 99-104
    ///   us of CPU to deliver against 86-91 without. A connection the network dropped while idle fails its
    ///   next statement: a claim is tried again, an unacknowledged call is delivered again, an enqueue
    ///   fails (503; the sender's retry is deduplicated).
    init(settings: PostgresSettings, holdsConnections: Bool = true, statements: PostgresStatements = .shared, logger: Logger) {
        self.statements = statements
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password, database: settings.database,
            tls: .disable)
        if holdsConnections { configuration.options.keepAliveBehavior = nil }
        Self.size(&configuration, groupCommits + 1, held: holdsConnections)
        configuration.options.additionalStartupParameters = [("synchronous_commit", "on")] + Self.planning
        self.durableClient = PostgresClient(configuration: configuration, backgroundLogger: logger)
        // Enough for the workers' claims and settlements at once; several processes share the server's limit.
        Self.size(&configuration, 8, held: holdsConnections)
        configuration.options.additionalStartupParameters = [("synchronous_commit", "off")] + Self.planning
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// At most `connections`, and as many kept open when they are `held`.
    private static func size(_ configuration: inout PostgresClient.Configuration, _ connections: Int, held: Bool) {
        configuration.options.maximumConnections = connections
        configuration.options.minimumConnections = held ? connections : 0
    }

    /// How the gateway's connections plan the statements they keep prepared (``PostgresStatements``):
    /// once, with no parameter values, and the plan kept. (Planned at every run, the server spent
    /// 137-140 us of CPU an event in durable ingest, against 97-108 planned once: three 5 s runs each.)
    /// A plan made once must suit any size of the tables, which swing from empty to a backlog faster
    /// than their statistics follow: planned while a table was nearly empty, an acknowledgement became a
    /// hash join over the whole table, and a claim a scan of every due row and a sort. Every statement
    /// the queue runs often reads by an index (a key, the due order); with whole-table and bitmap scans
    /// ruled out where an index serves, no plan reads more than it needs (`StorePlanTests` checks).
    static let planning = [("plan_cache_mode", "force_generic_plan"), ("enable_seqscan", "off"), ("enable_bitmapscan", "off")]

    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.durableClient.run() }
        }
    }

    /// Checks that the server answers, so that a wrong address fails the store's start.
    func open() async throws {
        try await execute("SELECT 1", [])
    }

    /// The pool closes when ``run()`` is cancelled.
    func close() async {}

    @discardableResult

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
        try await client.withConnection { try await Self.run(sql, binds, on: $0, statements: statements, logger: logger) }
    }

    func transaction<T: Sendable>(durable: Bool, _ body: (any SQLExecutor) async throws -> T) async throws -> T {
        try await (durable ? durableClient : client).withConnection { connection in
            let transaction = Transaction(connection: connection, statements: statements, logger: logger)
            try await transaction.execute("BEGIN", [])
            do {
                let value = try await body(transaction)
                try await transaction.execute("COMMIT", [])
                return value
            } catch {
                _ = try? await transaction.execute("ROLLBACK", [])
                throw error
            }
        }
    }

    func reading<T: Sendable>(snapshot: @Sendable () -> Void, _ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await transaction(durable: false) { db in
            snapshot()
            return try await body(db)
        }
    }

    /// Statements on one connection of the pool, inside a transaction.
    final class Transaction: SQLExecutor {
        let connection: PostgresConnection
        let statements: PostgresStatements
        let logger: Logger
        /// Set once a statement fails. The transaction is then aborted, and the server refuses to prepare
        /// anything in it; postgres-nio would remember that refusal for the connection's life, and fail
        /// every later run of the name there. So what runs after a failure runs unnamed.
        let failed = Atomic<Bool>(false)

        init(connection: PostgresConnection, statements: PostgresStatements, logger: Logger) {
            self.connection = connection
            self.statements = statements
            self.logger = logger
        }

        @discardableResult

        func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
            do {
                return try await PostgresBackend.run(sql, binds, on: connection, statements: failed.load(ordering: .relaxed) ? nil : statements, logger: logger)
            } catch {
                failed.store(true, ordering: .relaxed)
                throw error
            }
        }
    }

    /// Runs `sql` on `connection`: prepared there under its name from `statements` when it has one.
    static func run(
        _ sql: String, _ binds: [SQLValue], on connection: PostgresConnection, statements: PostgresStatements?, logger: Logger
    ) async throws -> [[SQLValue]] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .integer(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .bytes(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            case .null: bindings.appendNull()
            case .list(let values, let type): try bindings.append(PostgresList(values: values, type: type))
            }
        }
        if let named = statements?.named(sql) {
            return try await NamedStatement.run(named, bindings, on: connection, logger: logger)
        }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: numbered(sql), binds: bindings), logger: logger)
        var values: [[SQLValue]] = []
        for try await row in rows {
            values.append(try row.map(SQLValue.init))
        }
        return values
    }

    /// `?` placeholders as PostgreSQL's `$1`, `$2`, ...: the stores' statements hold no `?` elsewhere.
    static func numbered(_ sql: String) -> String {
        // Bytes, not characters: walking a statement by grapheme cost 2% of the durable path's CPU.
        var result: [UInt8] = []
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        for byte in sql.utf8 {
            if byte == UInt8(ascii: "?") {
                number += 1
                result.append(UInt8(ascii: "$"))
                result.append(contentsOf: String(number).utf8)
            } else {
                result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}

extension SQLValue {
    init(_ cell: PostgresCell) throws {
        guard cell.bytes != nil else {
            self = .null
            return
        }
        switch cell.dataType {
        case .int2, .int4, .int8: self = .integer(try cell.decode(Int64.self))
        case .bytea: self = .bytes(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        case .bool: self = .integer(try cell.decode(Bool.self) ? 1 : 0)
        default: self = .text(try cell.decode(String.self))
        }
    }
}
