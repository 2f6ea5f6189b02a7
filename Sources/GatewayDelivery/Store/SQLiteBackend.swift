import Foundation
import NIOPosix
import Synchronization

/// One SQLite connection to a file in WAL mode, with `synchronous=NORMAL`: a commit writes the
/// write-ahead log and returns; a durable transaction returns once a sync of the log that began after its
/// commit has ended (``LogSync``), so it is on disk, as `synchronous=FULL` would have it.
///
/// Every statement and transaction takes the connection in turn (an async lock), so a transaction's
/// statements never interleave with others'. Statements run on the caller's thread (see ``SQLiteFile``);
/// what waits for the disk goes to NIO's thread pool: opening and the log's syncs. Checkpoints run there too,
/// every ``checkpointEvery`` statements, on a second connection and without the turn: SQLite's own ran inside
/// whichever commit passed its threshold, and every statement queued behind that one waited. A copy that
/// falls ``checkpointLag`` statements behind (the pool busy, the disk slow) is waited for, in turn, so the
/// log stays bounded. Readings of whole tables have a third connection and a thread of their own
/// (``reading(snapshot:_:)``).
/// A statement that meets the file locked by another process (a `dlq` command) waits on the caller's
/// thread for up to the busy timeout.
final class SQLiteBackend: SQLBackend {
    let path: String
    let dialect = SQLDialect.sqlite
    /// Two groups at once: one's statements run while the other's sync of the log waits for the disk.
    let groupCommits = 2
    private let connection = Mutex<SQLiteFile?>(nil)
    private let turn = AsyncSemaphore(permits: 1)
    /// The connection that checkpoints, held while it does (closing waits for it).
    private let checkpointer = Mutex<SQLiteFile?>(nil)
    private let checkpoints = Mutex(Checkpoints())
    static let checkpointEvery = 500
    /// Statements that may run while a copy is still waiting or running: a few hundred milliseconds' worth.
    static let checkpointLag = 500
    /// Opening, syncs and checkpoints: the shared pool, or a test's own.
    private let threadPool: NIOThreadPool
    /// The connection for ``reading(snapshot:_:)``, one reading at a time, with its own thread: a reading
    /// of every row takes long enough to hold up the log's syncs on the shared pool.
    let reader = Mutex<SQLiteFile?>(nil)
    let readerTurn = AsyncSemaphore(permits: 1)
    let readerThread = NIOThreadPool(numberOfThreads: 1)

    private struct Checkpoints {
        /// Statements since the last checkpoint began (reads are few: counting them all costs nothing).
        var statements = 0
        /// The bulk copy runs.
        var running = false
        /// The bulk copy ended: the next statement copies the rest.
        var finishing = false
        /// The holder of the turn, waiting for a copy that fell behind.
        var waiter: CheckedContinuation<Void, Never>?
    }

    /// Syncs the log for durable transactions, on the thread pool: milliseconds on some disks, not for
    /// an event loop to wait out.
    let logSync: LogSync
    private let log: LogFile

    init(path: String, threadPool: NIOThreadPool = .singleton) {
        self.path = path
        self.threadPool = threadPool
        let log = LogFile(database: path)
        self.log = log
        logSync = LogSync { try await threadPool.runIfActive { try log.sync() } }
    }

    func run() async {}

    func open() async throws {
        let path = path
        // The connections in one job; one that is dropped on a failure closes itself (``SQLiteFile``'s deinit).
        let (file, checkpointer, reader) = try await threadPool.runIfActive { () throws -> (SQLiteFile, SQLiteFile, SQLiteFile) in
            let file = try SQLiteFile(path: path)
            // First: every later statement, the switch to WAL included, may find another process writing.
            _ = try file.execute("PRAGMA busy_timeout=10000", [])
            // WAL refuses on some file systems (network shares) and answers with the mode it kept.
            let mode = try Self.switchToWAL(file)
            guard mode?.lowercased() == "wal" else {
                throw StoreError(.invalidConfiguration, "the SQLite store at \(path) cannot use WAL mode (it stays in \(mode ?? "an unknown") mode)")
            }
            _ = try file.execute("PRAGMA synchronous=NORMAL", [])
            _ = try file.execute("PRAGMA wal_autocheckpoint=0", [])
            // Statement journals and sorts in memory: on disk, each was a temporary file created and removed.
            _ = try file.execute("PRAGMA temp_store=MEMORY", [])
            let reader = try SQLiteFile(path: path)
            _ = try reader.execute("PRAGMA busy_timeout=10000", [])
            return (file, try SQLiteFile(path: path), reader)
        }
        self.checkpointer.withLock { $0 = checkpointer }
        self.reader.withLock { $0 = reader }
        readerThread.start()
        self.connection.withLock { $0 = file }
    }

    /// Switches the file to WAL mode and returns the mode it is in. SQLite answers "locked" at once,
    /// without waiting out the busy timeout, when another process opens the file at the same moment: so
    /// the switch is tried again for as long as the busy timeout.
    private static func switchToWAL(_ file: SQLiteFile) throws -> String? {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                return try file.execute("PRAGMA journal_mode=WAL", []).first?.first?.text
            } catch {
                guard error.isBusy, ContinuousClock.now < deadline else { throw error }
                usleep(10_000)
            }
        }
    }

    func close() async {
        // Waits for the reading and the statement running now (callers run this in a task that is not
        // cancelled), in the order a reading takes the turns.
        let reading = (try? await readerTurn.acquire()) != nil
        defer { if reading { readerTurn.release() } }
        let acquired = (try? await turn.acquire()) != nil
        defer { if acquired { turn.release() } }
        guard let file = connection.withLock({ $0.take() }) else { return }
        if let reader = reader.withLock({ $0.take() }) {
            reader.close()
            try? await readerThread.shutdownGracefully()
        }
        // Durable commits still waiting get their sync while the log is there: closing removes it.
        try? await logSync.syncWritten()
        // Closing the last connection checkpoints the log: off the caller's thread.
        _ = try? await threadPool.runIfActive {
            self.checkpointer.withLock { checkpointer in
                checkpointer?.close()
                checkpointer = nil
            }
            file.close()
            self.log.close()
        }
    }

    @discardableResult

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
        try await withTurn { file in try file.execute(sql, binds) }
    }

    func transaction<T: Sendable>(durable: Bool, _ body: (any SQLExecutor) async throws -> T) async throws -> T {
        let (value, mark) = try await withTurn { file in
            _ = try file.execute("BEGIN IMMEDIATE", [])
            do {
                let value = try await body(Transaction(file: file))
                // Written to the log, not yet synced (`synchronous=NORMAL`).
                _ = try file.execute("COMMIT", [])
                return (value, logSync.commitWritten())
            } catch {
                _ = try? file.execute("ROLLBACK", [])
                throw error
            }
        }
        // Out of the turn: the next transaction runs while the disk works, and one sync serves both.
        if durable { try await logSync.sync(through: mark) }
        return value
    }

    /// Statements of a transaction that holds the connection already.
    struct Transaction: SQLExecutor {
        let file: SQLiteFile

        @discardableResult

        func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
            try file.execute(sql, binds)
        }
    }

    func execute<T>(_ sql: String, _ binds: [SQLValue], then: ([[SQLValue]]) throws -> T) async throws -> T {
        try await withTurn { file in try then(try file.execute(sql, binds)) }
    }

    func withTurn<T>(_ body: (SQLiteFile) async throws -> T) async throws -> T {
        try await turn.acquire()
        defer { turn.release() }
        guard let file = connection.withLock({ $0 }) else { throw StoreError(.closed, "the SQLite store at \(path) is not open") }
        let value = try await body(file)
        await checkpointIfDue(file)
        return value
    }

    /// Copies the log into the database file (and syncs it) every ``checkpointEvery`` statements, in two steps.
    /// The bulk runs on the thread pool and the second connection while statements go on. The log starts
    /// over only once a checkpoint has copied all of it, which one running beside writes never does; so the
    /// next statement, in turn, copies what came meanwhile: a few pages. PASSIVE, so neither a writer nor a
    /// reader in another process is waited for; a failed checkpoint is left to the next.
    private func checkpointIfDue(_ file: SQLiteFile) async {
        switch checkpoints.withLock({ Self.step(&$0) }) {
        case nil:
            return
        case .start:
            threadPool.submit { _ in
                // Runs when the pool is shut down too (cancelled): a waiter is resumed either way.
                self.copyLog()
                let waiter = self.checkpoints.withLock { state in
                    state.running = false
                    state.finishing = true
                    return state.waiter.take()
                }
                waiter?.resume()
            }
        case .wait:
            await withCheckedContinuation { continuation in
                let running = checkpoints.withLock { state in
                    if state.running { state.waiter = continuation }
                    return state.running
                }
                if !running { continuation.resume() }
            }
            checkpoints.withLock { $0.finishing = false }
            await finish(file)
        case .finish:
            await finish(file)
        }
    }

    private static func step(_ state: inout Checkpoints) -> CheckpointStep? {
        if state.finishing {
            state.finishing = false
            return .finish
        }
        state.statements += 1
        if state.running { return state.statements >= checkpointLag ? .wait : nil }
        guard state.statements >= checkpointEvery else { return nil }
        state.statements = 0
        state.running = true
        return .start
    }

    /// The bulk of a checkpoint, beside the writes: copies the log into the database file, then syncs the
    /// file. SQLite syncs it only after a copy that reaches the log's end, which is the finishing step's, in
    /// turn; so that step wrote back every page the bulk had copied, and with a long queue held the writer
    /// 30-40 ms every 500 statements: p99 to 202 rose from 13 to 40 ms over 100 s of sustained ingest. (More
    /// passes, each copying what came during the last, shortened the finish again but wrote hot pages
    /// several times: more CPU an event, and no better p99.)
    private func copyLog() {
        checkpointer.withLock { checkpointer in _ = try? checkpointer?.execute("PRAGMA wal_checkpoint(PASSIVE)", []) }
        // A failed sync is left to the finish, whose copy syncs the file again.
        try? log.syncDatabase()
    }

    private func finish(_ file: SQLiteFile) async {
        _ = try? await threadPool.runIfActive { try file.execute("PRAGMA wal_checkpoint(PASSIVE)", []) }
    }

    private enum CheckpointStep {
        case start, wait, finish
    }
}
