import Foundation
import Synchronization
import Testing

@testable import GatewayDelivery

/// Group syncs of SQLite's log: a durable commit returns only after a sync that began after it was
/// written, one sync serves every commit written before it began, and a failed sync fails its callers.
struct LogSyncTests {
    /// A flush each test lets finish when it says, counting the flushes begun.
    private final class Disk: Sendable {
        private struct State {
            var begun = 0
            var released = 0
            var failures = 0
        }

        private let state = Mutex(State())

        var begun: Int { state.withLock { $0.begun } }

        func release(failing: Bool = false) {
            state.withLock { state in
                state.released += 1
                if failing { state.failures = state.released }
            }
        }

        func flush() async throws {
            let number = state.withLock { state in
                state.begun += 1
                return state.begun
            }
            while state.withLock({ $0.released < number }) { try await Task.sleep(for: .milliseconds(2)) }
            if state.withLock({ $0.failures == number }) { throw StoreError(.unwritable, "fdatasync of test-wal failed: Input/output error") }
        }

        /// A caller waiting for `mark` to be synced, once flush `number` has begun.
        func caller(of sync: LogSync, through mark: UInt64, onceFlush number: Int) async throws -> Task<Void, any Error> {
            let task = Task { try await sync.sync(through: mark) }
            try await waitUntilBegun(number)
            return task
        }

        func waitUntilBegun(_ count: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while begun < count {
                guard ContinuousClock.now < deadline else { throw StoreError(.closed, "flush \(count) never began") }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    @Test func aCommitWrittenWhileASyncRunsWaitsForTheNextAndOneSyncServesAllWrittenBeforeIt() async throws {
        let disk = Disk()
        let sync = LogSync { try await disk.flush() }
        let first = sync.commitWritten()
        let one = try await disk.caller(of: sync, through: first, onceFlush: 1)
        // Written after the first sync began: that sync does not cover them.
        let second = sync.commitWritten()
        let third = sync.commitWritten()
        let twoDone = Mutex(false)
        let two = Task {
            try await sync.sync(through: second)
            twoDone.withLock { $0 = true }
        }
        let three = Task { try await sync.sync(through: third) }
        disk.release()
        try await one.value
        try await disk.waitUntilBegun(2)
        try await Task.sleep(for: .milliseconds(50))
        #expect(twoDone.withLock { $0 } == false)
        disk.release()
        try await two.value
        try await three.value
        #expect(disk.begun == 2)
        #expect(sync.syncs == 2)
        // Already synced: no flush.
        try await sync.sync(through: first)
        #expect(disk.begun == 2)
    }

    /// What closing the store does before the log goes: one sync for every commit written, so that
    /// commits still waiting are not failed by a log that is no longer there.
    @Test func syncingAllWrittenServesTheCommitsStillWaiting() async throws {
        let disk = Disk()
        let sync = LogSync { try await disk.flush() }
        let marks = [sync.commitWritten(), sync.commitWritten()]
        let all = Task { try await sync.syncWritten() }
        try await disk.waitUntilBegun(1)
        disk.release()
        try await all.value
        for mark in marks { try await sync.sync(through: mark) }
        #expect(disk.begun == 1)
    }

    @Test func aFailedSyncFailsItsCallersAndTheNextCallSyncsAgain() async throws {
        let disk = Disk()
        let sync = LogSync { try await disk.flush() }
        let mark = sync.commitWritten()
        let failing = try await disk.caller(of: sync, through: mark, onceFlush: 1)
        disk.release(failing: true)
        await #expect(throws: StoreError(.unwritable, "fdatasync of test-wal failed: Input/output error")) { try await failing.value }
        let retry = try await disk.caller(of: sync, through: mark, onceFlush: 2)
        disk.release()
        try await retry.value
        #expect(sync.syncs == 2)
    }

    @Test func syncingTheLogOfADatabaseWithoutOneNamesTheFileAndTheCall() throws {
        let log = LogFile(database: "/nonexistent-folder/x.sqlite")
        #expect(throws: StoreError(.unwritable, "stat of /nonexistent-folder/x.sqlite-wal failed: No such file or directory")) { try log.sync() }
    }

    @Test func syncingADatabaseFileThatIsNotThereNamesTheFileAndTheCall() throws {
        let log = LogFile(database: "/nonexistent-folder/x.sqlite")
        #expect(throws: StoreError(.unwritable, "open of /nonexistent-folder/x.sqlite failed: No such file or directory")) { try log.syncDatabase() }
    }

    /// A log removed and made again (as SQLite does when the last connection closes and another opens)
    /// is opened again: syncing the old file would leave the new one's commits to chance.
    @Test func aLogMadeAgainIsOpenedAgain() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("log-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("x.sqlite").path
        let log = LogFile(database: database)
        #expect(FileManager.default.createFile(atPath: database + "-wal", contents: Data("one".utf8)))
        try log.sync()
        try FileManager.default.removeItem(atPath: database + "-wal")
        #expect(throws: StoreError(.unwritable, "stat of \(database)-wal failed: No such file or directory")) { try log.sync() }
        #expect(FileManager.default.createFile(atPath: database + "-wal", contents: Data("two".utf8)))
        try log.sync()
        // The new file is the one held (syncing the old, removed one would succeed as well).
        let current = try #require(FileManager.default.attributesOfItem(atPath: database + "-wal")[.systemFileNumber] as? Int)
        let held = try #require(log.inode)
        #expect(Int(held) == current)
    }

    /// SQLite names the log after the database's real path: a database reached through a link has its
    /// log beside the file linked to, and that is the log synced.
    @Test func aDatabaseThroughALinkSyncsTheLogBesideTheRealFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("log-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("real"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let real = folder.appendingPathComponent("real/x.sqlite").path
        let link = folder.appendingPathComponent("x.sqlite").path
        #expect(FileManager.default.createFile(atPath: real, contents: nil))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        let backend = SQLiteBackend(path: link)
        try await backend.open()
        _ = try await backend.execute("CREATE TABLE t (n INTEGER)", [])
        try await backend.transaction(durable: true) { db in _ = try await db.execute("INSERT INTO t VALUES (1)", []) }
        #expect(backend.logSync.syncs == 1)
        #expect(FileManager.default.fileExists(atPath: real + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: link + "-wal"))
        await backend.close()
    }

    /// Through the backend: durable transactions sync the log once they are written, others never do.
    @Test func onlyDurableTransactionsWaitForASyncOfTheLog() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-sync-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let backend = SQLiteBackend(path: path)
        try await backend.open()
        _ = try await backend.execute("CREATE TABLE t (n INTEGER)", [])
        try await backend.transaction(durable: false) { db in _ = try await db.execute("INSERT INTO t VALUES (1)", []) }
        #expect(backend.logSync.syncs == 0)
        try await backend.transaction(durable: true) { db in _ = try await db.execute("INSERT INTO t VALUES (2)", []) }
        #expect(backend.logSync.syncs == 1)
        #expect(try await backend.execute("SELECT count(*) FROM t", []) == [[.integer(2)]])
        await backend.close()
    }
}
