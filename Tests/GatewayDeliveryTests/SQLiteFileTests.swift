import Foundation
import NIOPosix
import Testing

@testable import GatewayDelivery

/// The SQLite connection under the embedded store: values, the statement cache, errors and checkpoints.
struct SQLiteFileTests {
    /// A fresh database file; removed (with its log) after `body`.
    static func withFile<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-file-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        return try await body(path)
    }

    @Test func valuesComeBackAsTheyWereBound() async throws {
        try await Self.withFile { path in
            let file = try SQLiteFile(path: path)
            defer { file.close() }
            _ = try file.execute("CREATE TABLE t (n INTEGER, s TEXT, b BLOB, z TEXT)", [])
            let values: [SQLValue] = [.integer(-9_007_199_254_740_993), .text("ünï\u{0}code 订单 🎉"), .bytes([0, 255, 1, 0]), .null]
            _ = try file.execute("INSERT INTO t VALUES (?, ?, ?, ?)", values)
            _ = try file.execute("INSERT INTO t VALUES (?, ?, ?, ?)", [.integer(0), .text(""), .bytes([]), .null])
            #expect(try file.execute("SELECT n, s, b, z FROM t ORDER BY rowid", []) == [values, [.integer(0), .text(""), .bytes([]), .null]])
            // An empty blob is a blob, not NULL.
            #expect(try file.execute("SELECT typeof(b) FROM t ORDER BY rowid", []) == [[.text("blob")], [.text("blob")]])
        }
    }

    @Test func moreStatementsThanTheCacheHoldsAllRunAgainAndAgain() async throws {
        try await Self.withFile { path in
            let file = try SQLiteFile(path: path)
            defer { file.close() }
            for round in 0..<3 {
                for number in 0..<150 {
                    #expect(try file.execute("SELECT ? + \(number)", [.integer(Int64(round))]) == [[.integer(Int64(round + number))]])
                }
            }
        }
    }

    @Test func anErrorNamesSQLitesMessageAndTheStatement() async throws {
        try await Self.withFile { path in
            let file = try SQLiteFile(path: path)
            defer { file.close() }
            do {
                _ = try file.execute("SELEKT 1", [])
                Issue.record("a syntax error was accepted")
            } catch let error as SQLiteFailure {
                #expect(error.code == 1)
                #expect(error.description == #"SQLite error 1: near "SELEKT": syntax error (in SELEKT 1)"#)
            }
            _ = try file.execute("CREATE TABLE u (id TEXT PRIMARY KEY)", [])
            _ = try file.execute("INSERT INTO u VALUES (?)", [.text("a")])
            #expect(throws: SQLiteFailure.self) { try file.execute("INSERT INTO u VALUES (?)", [.text("a")]) }
            // The failed statement was reset: the same text runs again.
            _ = try file.execute("INSERT INTO u VALUES (?)", [.text("b")])
            #expect(try file.execute("SELECT count(*) FROM u", []) == [[.integer(2)]])
        }
    }

    @Test func aFileThatCannotBeOpenedIsAnError() {
        #expect(throws: SQLiteFailure.self) { try SQLiteFile(path: "/nonexistent-folder/x.sqlite") }
    }

    /// SQLite's own checkpoints are off (they ran inside whichever commit passed the threshold); the backend
    /// checkpoints every few hundred writes instead, so the log stays bounded.
    @Test func theWriteAheadLogStaysBounded() async throws {
        try await Self.withFile { path in
            let log = try await Self.logAfterWrites(SQLiteBackend(path: path), path)
            // Without checkpoints the log reaches about 68 MB. It starts over at most about 1,000 writes apart
            // (500 to a checkpoint, 500 more while it copies): 15 MB here.
            #expect(log < 20_000_000, "the log holds \(log) bytes")
        }
    }

    /// A checkpoint that cannot run (the thread pool busy) holds statements back once it falls behind,
    /// instead of letting the log grow for as long as the pool is busy.
    @Test func aCheckpointThatFallsBehindIsWaitedFor() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let log = try await Self.withFile { path in
            try await Self.logAfterWrites(SQLiteBackend(path: path, threadPool: pool), path) {
                pool.submit { _ in usleep(1_500_000) }
            }
        }
        try await pool.shutdownGracefully()
        #expect(log < 20_000_000, "the log holds \(log) bytes")
    }

    /// Writes 3,000 rows of 3 kB and deletes every other one, then answers the log's size.
    static func logAfterWrites(_ backend: SQLiteBackend, _ path: String, opened: () -> Void = {}) async throws -> Int {
        try await backend.open()
        opened()
        _ = try await backend.execute("CREATE TABLE q (id INTEGER PRIMARY KEY, body TEXT)", [])
        let body = String(repeating: "x", count: 3000)
        for number in 0..<3000 {
            _ = try await backend.execute("INSERT INTO q (body) VALUES (?)", [.text(body)])
            if number % 2 == 1 { _ = try await backend.execute("DELETE FROM q WHERE id = ?", [.integer(Int64(number))]) }
        }
        let log = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        await backend.close()
        return log
    }
}
