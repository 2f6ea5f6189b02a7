import VaporCSQLite

/// One SQLite connection driven through the C API: each statement text is prepared once and reused.
///
/// Not thread-safe by itself and not tied to a thread: ``SQLiteBackend`` lets one caller at a time in
/// (its turn), from whatever thread the caller runs on. Statements run where they are called, without a
/// thread hop: the queue's statements take tens of microseconds, less than a hop to a thread pool and back
/// (SQLiteNIO made one for every statement, and a durable enqueue had nine).
final class SQLiteFile: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Prepared statements by text. Texts vary with the number of rows a statement carries, so the cache
    /// starts over past ``maxStatements``.
    private var statements: [String: OpaquePointer] = [:]
    private static let maxStatements = 64

    /// Opens (creating when missing) the file at `path`.
    ///
    /// - Throws: ``SQLiteFailure`` when SQLite cannot open it.
    init(path: String) throws(SQLiteFailure) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        self.handle = handle
        guard code == SQLITE_OK else {
            let failure = SQLiteFailure(code: code, message: handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory", sql: nil)
            close()
            throw failure
        }
    }

    deinit {
        close()
    }

    /// Finalizes the statements and closes the connection; later statements fail.
    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements = [:]
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs one statement with `binds` for its `?` parameters and returns its rows.
    ///
    /// - Throws: ``SQLiteFailure`` with SQLite's code and message.
    func execute(_ sql: String, _ binds: [SQLValue]) throws(SQLiteFailure) -> [[SQLValue]] {
        let statement = try prepared(sql)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (index, value) in binds.enumerated() {
            try check(Self.bind(value, at: Int32(index + 1), in: statement), sql)
        }
        var rows: [[SQLValue]] = []
        while true {
            let code = sqlite_nio_sqlite3_step(statement)
            if code == SQLITE_DONE { return rows }
            guard code == SQLITE_ROW else { throw failure(code, sql) }
            rows.append(Self.row(statement))
        }
    }

    private func prepared(_ sql: String) throws(SQLiteFailure) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        guard let handle else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed", sql: sql) }
        var statement: OpaquePointer?
        let code = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw failure(code, sql) }
        if statements.count >= Self.maxStatements {
            for old in statements.values { sqlite_nio_sqlite3_finalize(old) }
            statements.removeAll(keepingCapacity: true)
        }
        statements[sql] = statement
        return statement
    }

    private static func bind(_ value: SQLValue, at index: Int32, in statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let number):
            return sqlite_nio_sqlite3_bind_int64(statement, index, number)
        case .text(var text):
            return text.withUTF8 { sqlite_nio_sqlite3_bind_text64(statement, index, $0.baseAddress, UInt64($0.count), transient, UInt8(SQLITE_UTF8)) }
        case .bytes(let bytes):
            // A zero-length blob still needs an address: a null one would bind NULL.
            return bytes.withUnsafeBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, UInt64($0.count), transient) }
        case .null:
            return sqlite_nio_sqlite3_bind_null(statement, index)
        case .list:
            // The SQLite dialect writes a placeholder for each value instead.
            return SQLITE_MISMATCH
        }
    }

    private static func row(_ statement: OpaquePointer) -> [SQLValue] {
        (0..<sqlite_nio_sqlite3_column_count(statement)).map { column in
            switch sqlite_nio_sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: return .integer(sqlite_nio_sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT: return .integer(Int64(sqlite_nio_sqlite3_column_double(statement, column)))
            case SQLITE_TEXT:
                // The pointer comes first: asking for the length first could convert the value twice.
                let text = sqlite_nio_sqlite3_column_text(statement, column)
                let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                return .text(text.map { String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self) } ?? "")
            case SQLITE_BLOB:
                let blob = sqlite_nio_sqlite3_column_blob(statement, column)
                let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                return .bytes(blob.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? [])
            default: return .null
            }
        }
    }

    private func check(_ code: Int32, _ sql: String) throws(SQLiteFailure) {
        guard code == SQLITE_OK else { throw failure(code, sql) }
    }

    private func failure(_ code: Int32, _ sql: String) -> SQLiteFailure {
        let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? String(cString: sqlite_nio_sqlite3_errstr(code))
        return SQLiteFailure(code: code, message: message, sql: sql)
    }

    /// SQLite copies bound values before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// An error SQLite reported: its result code, its message and the statement.
struct SQLiteFailure: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    let sql: String?

    /// The database was locked by another connection: past the busy timeout, or at once where SQLite does not
    /// wait (switching the journal mode).
    var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }

    var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " (in \($0.prefix(120)))" } ?? "")
    }
}
