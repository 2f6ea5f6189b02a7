import Foundation
import GatewayStubs
import Synchronization
import Testing

@testable import GatewayDelivery

/// Readings of whole tables on the SQLite backend: on a connection of their own, with a fixed view, and
/// holding up no write.
struct SQLiteReadingTests {
    /// A backend on a fresh file with a table `q` of `rows` rows; closed and removed after `body`.
    static func withBackend<T>(rows: Int, _ body: (SQLiteBackend) async throws -> T) async throws -> T {
        try await SQLiteFileTests.withFile { path in
            let backend = SQLiteBackend(path: path)
            try await backend.open()
            return try await withCleanup {
                _ = try await backend.execute("CREATE TABLE q (id INTEGER PRIMARY KEY)", [])
                for _ in 0..<rows { _ = try await backend.execute("INSERT INTO q DEFAULT VALUES", []) }
                return try await body(backend)
            } cleanup: {
                await backend.close()
            }
        }
    }

    static func count(_ db: any SQLExecutor) async throws -> Int64? {
        try await db.execute("SELECT count(*) FROM q", []).first?.first?.integer
    }

    /// Writes go on while a reading is open, and the reading keeps the view it began with.
    @Test func aReadingHoldsUpNoWriteAndKeepsItsView() async throws {
        try await Self.withBackend(rows: 1) { backend in
            let (opened, reading) = AsyncStream.makeStream(of: Void.self)
            let (written, writes) = AsyncStream.makeStream(of: Void.self)
            let reader = Task {
                try await backend.reading(snapshot: {}) { db in
                    let before = try await Self.count(db)
                    reading.yield()
                    // Until the write below has committed: a reading that held writes up never gets here.
                    for await _ in written { break }
                    return [before, try await Self.count(db)]
                }
            }
            for await _ in opened { break }
            // Within a time: a write held up by the reading would wait for ever.
            let wrote = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    _ = try await backend.transaction(durable: true) { db in try await db.execute("INSERT INTO q DEFAULT VALUES", []) }
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    return false
                }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
            #expect(wrote, "the write waited for the reading")
            writes.yield()
            #expect(try await reader.value == [1, 1])
            #expect(try await Self.count(backend) == 2)
        }
    }

    /// What follows a statement (``SQLBackend/execute(_:_:then:)``) runs before a reading's view is fixed,
    /// or after: never between the statement and it. (The depth counts rely on it to be exact.)
    @Test func aStatementsFollowUpIsNeverSplitFromItByAReadingsView() async throws {
        try await Self.withBackend(rows: 0) { backend in
            let events = Mutex<[String]>([])
            let statement = Task {
                try await backend.execute("INSERT INTO q DEFAULT VALUES", []) { _ in
                    events.withLock { $0.append("statement") }
                    // Long enough for the reading below to ask for its view meanwhile.
                    usleep(200_000)
                    events.withLock { $0.append("follow-up") }
                }
            }
            while events.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
            let counted = try await backend.reading(snapshot: { events.withLock { $0.append("view") } }) { try await Self.count($0) }
            try await statement.value
            #expect(events.withLock { $0 } == ["statement", "follow-up", "view"])
            #expect(counted == 1)
        }
    }
}
