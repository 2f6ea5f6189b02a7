#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// SQLite's write-ahead log (`<database>-wal`), opened beside SQLite to sync it: SQLite offers no call
/// that syncs the log alone. Syncing any descriptor of a file syncs the file. The log is opened again when
/// the file at its path is another (SQLite removes it when the last connection to the database closes).
/// The database file is synced the same way, for checkpoints (``syncDatabase()``).
final class LogFile: Sendable {
    /// The database's path as given.
    let database: String

    private struct Handle {
        var descriptor: Int32
        var inode: ino_t
        /// The log's path, after the database's links as SQLite resolves them.
        var path: String
    }

    private let handle = Mutex<Handle?>(nil)

    init(database: String) {
        self.database = database
    }

    deinit {
        close()
    }

    /// The inode of the log open now, if any.
    var inode: ino_t? { handle.withLock { $0?.inode } }

    /// Writes what the log holds to the disk (`fdatasync`); blocks, so runs off the event loops.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/unwritable``) naming the call that failed and why.
    func sync() throws(StoreError) {
        try handle.withLock { (handle) throws(StoreError) in
            let path = handle?.path ?? Self.logPath(of: database)
            var info = stat()
            guard stat(path, &info) == 0 else { throw Self.failure("stat", path) }
            if handle?.inode != info.st_ino {
                if let old = handle { Self.closeDescriptor(old.descriptor) }
                handle = try Self.openLog(path)
            }
            guard let descriptor = handle?.descriptor, Self.syncData(descriptor) == 0 else { throw Self.failure("fdatasync", path) }
        }
    }

    /// Writes what the database file holds to the disk (`fdatasync`), through a descriptor of its own.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/unwritable``) naming the call that failed and why.
    func syncDatabase() throws(StoreError) {
        try Self.sync(database, opened: O_RDONLY, call: "fdatasync", with: Self.syncData)
    }

    /// Opens the log at `path`, and syncs its directory: a new log's entry must reach the disk too.
    private static func openLog(_ path: String) throws(StoreError) -> Handle {
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        var info = stat()
        // The inode of the file opened, not of the one at the path a moment before.
        guard fstat(descriptor, &info) == 0 else {
            let error = failure("fstat", path)
            closeDescriptor(descriptor)
            throw error
        }
        let handle = Handle(descriptor: descriptor, inode: info.st_ino, path: path)
        do {
            try syncDirectory(of: path)
        } catch {
            closeDescriptor(descriptor)
            throw error
        }
        return handle
    }

    /// SQLite names the log after the database's full path with its links resolved.
    private static func logPath(of database: String) -> String {
        guard let resolved = realpath(database, nil) else { return database + "-wal" }
        defer { free(resolved) }
        return String(cString: resolved) + "-wal"
    }

    func close() {
        handle.withLock { handle in
            if let old = handle { Self.closeDescriptor(old.descriptor) }
            handle = nil
        }
    }

    private static func syncDirectory(of path: String) throws(StoreError) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        try sync(directory.isEmpty ? "/" : directory, opened: O_RDONLY | O_DIRECTORY, call: "fsync") { fsync($0) }
    }

    /// Opens `path` with `flags` for as long as `syncing` it takes (`call` names it in an error).
    private static func sync(_ path: String, opened flags: Int32, call: String, with syncing: (Int32) -> Int32) throws(StoreError) {
        let descriptor = open(path, flags | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        defer { closeDescriptor(descriptor) }
        guard syncing(descriptor) == 0 else { throw failure(call, path) }
    }

    private static func closeDescriptor(_ descriptor: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #else
        _ = Darwin.close(descriptor)
        #endif
    }

    private static func syncData(_ descriptor: Int32) -> Int32 {
        #if canImport(Glibc)
        fdatasync(descriptor)
        #else
        fsync(descriptor)
        #endif
    }

    private static func failure(_ call: String, _ path: String) -> StoreError {
        StoreError(.unwritable, "\(call) of \(path) failed: \(String(cString: strerror(errno)))")
    }
}
