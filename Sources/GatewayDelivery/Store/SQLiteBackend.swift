import Foundation
import NIOCore
import SQLiteNIO
import Synchronization

/// One SQLite connection to a file in WAL mode: durable transactions commit with `synchronous=FULL`
/// (on disk when they return, the write-ahead log before them included), the rest with `NORMAL`.
///
/// Every statement and transaction takes the connection in turn (an async lock), so a transaction's
/// statements never interleave with others'.
final class SQLiteBackend: SQLBackend {
    let path: String
    let dialect = SQLDialect.sqlite
    private let connection = Mutex<SQLiteConnection?>(nil)
    private let turn = AsyncSemaphore(permits: 1)

    init(path: String) {
        self.path = path
    }

    func run() async {}

    func open() async throws {
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        do {
            // First: every later statement, the switch to WAL included, may find another process writing.
            _ = try await Self.run("PRAGMA busy_timeout=10000", [], on: connection)
            // WAL refuses on some file systems (network shares) and answers with the mode it kept.
            let mode = try await Self.switchToWAL(connection)
            guard mode?.lowercased() == "wal" else {
                throw StoreError(.invalidConfiguration, "the SQLite store at \(path) cannot use WAL mode (it stays in \(mode ?? "an unknown") mode)")
            }
            _ = try await Self.run("PRAGMA synchronous=NORMAL", [], on: connection)
        } catch {
            // Not in this task, which may be cancelled: a cancelled close leaves the file open.
            try? await Task { try await connection.close() }.value
            throw error
        }
        self.connection.withLock { $0 = connection }
    }

    /// Switches the file to WAL mode and returns the mode it is in. SQLite answers "locked" at once,
    /// without waiting out the busy timeout, when another process opens the file at the same moment: so
    /// the switch is tried again for as long as the busy timeout.
    private static func switchToWAL(_ connection: SQLiteConnection) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                return try await run("PRAGMA journal_mode=WAL", [], on: connection).first?.first?.text
            } catch let error as SQLiteError where error.reason == .busy && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    func close() async {
        // Waits for the statement running now (callers run this in a task that is not cancelled).
        let acquired = (try? await turn.acquire()) != nil
        defer { if acquired { turn.release() } }
        guard let connection = connection.withLock({ $0.take() }) else { return }
        try? await connection.close()
    }

    @discardableResult

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
        try await withTurn { try await Self.run(sql, binds, on: $0) }
    }

    func transaction<T: Sendable>(durable: Bool, _ body: (any SQLExecutor) async throws -> T) async throws -> T {
        try await withTurn { connection in
            // The mode is read at commit; switching costs no disk write.
            if durable { _ = try await Self.run("PRAGMA synchronous=FULL", [], on: connection) }
            do {
                let value = try await Self.inTransaction(connection, body)
                if durable { _ = try await Self.run("PRAGMA synchronous=NORMAL", [], on: connection) }
                return value
            } catch {
                if durable { _ = try? await Self.run("PRAGMA synchronous=NORMAL", [], on: connection) }
                throw error
            }
        }
    }

    private static func inTransaction<T>(_ connection: SQLiteConnection, _ body: (any SQLExecutor) async throws -> T) async throws -> T {
        _ = try await Self.run("BEGIN IMMEDIATE", [], on: connection)
        do {
            let value = try await body(Transaction(connection: connection))
            _ = try await Self.run("COMMIT", [], on: connection)
            return value
        } catch {
            _ = try? await Self.run("ROLLBACK", [], on: connection)
            throw error
        }
    }

    /// Statements of a transaction that holds the connection already.
    struct Transaction: SQLExecutor {
        let connection: SQLiteConnection

        @discardableResult

        func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
            try await SQLiteBackend.run(sql, binds, on: connection)
        }
    }

    private func withTurn<T>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        try await turn.acquire()
        defer { turn.release() }
        guard let connection = connection.withLock({ $0 }) else { throw StoreError(.closed, "the SQLite store at \(path) is not open") }
        return try await body(connection)
    }

    static func run(_ sql: String, _ binds: [SQLValue], on connection: SQLiteConnection) async throws -> [[SQLValue]] {
        let rows = try await connection.query(sql, binds.map(\.sqlite))
        return rows.map { $0.columns.map { SQLValue($0.data) } }
    }
}

extension SQLValue {
    init(_ data: SQLiteData) {
        switch data {
        case .integer(let value): self = .integer(Int64(value))
        case .float(let value): self = .integer(Int64(value))
        case .text(let value): self = .text(value)
        case .blob(let buffer): self = .bytes(Array(buffer.readableBytesView))
        case .null: self = .null
        }
    }

    var sqlite: SQLiteData {
        switch self {
        case .integer(let value): .integer(SQLiteInt64(value))
        case .text(let value): .text(value)
        case .bytes(let value): .blob(ByteBuffer(bytes: value))
        case .null: .null
        }
    }
}
