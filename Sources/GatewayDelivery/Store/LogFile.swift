#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// SQLite's write-ahead log (`<database>-wal`), opened beside SQLite to sync it: SQLite offers no call
/// that syncs the log alone. Syncing any descriptor of a file syncs the file. The log is opened again when
/// the file at its path is another (SQLite removes it when the last connection to the database closes).
final class LogFile: Sendable {
    let path: String
    private let handle = Mutex<(descriptor: Int32, inode: ino_t)?>(nil)

    init(database: String) {
        path = database + "-wal"
    }

    deinit {
        close()
    }

    /// Writes what the log holds to the disk (`fdatasync`); blocks, so runs off the event loops.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/unwritable``) naming the call that failed and why.
    func sync() throws(StoreError) {
        try handle.withLock { (handle) throws(StoreError) in
            var info = stat()
            guard stat(path, &info) == 0 else { throw Self.failure("stat", path) }
            if handle?.inode != info.st_ino {
                if let old = handle { Self.closeDescriptor(old.descriptor) }
                handle = nil
                let descriptor = open(path, O_RDWR | O_CLOEXEC)
                guard descriptor >= 0 else { throw Self.failure("open", path) }
                handle = (descriptor, info.st_ino)
                // A new log's entry in its directory must reach the disk too.
                try Self.syncDirectory(of: path)
            }
            guard let descriptor = handle?.descriptor, Self.syncData(descriptor) == 0 else { throw Self.failure("fdatasync", path) }
        }
    }

    func close() {
        handle.withLock { handle in
            if let old = handle { Self.closeDescriptor(old.descriptor) }
            handle = nil
        }
    }

    private static func syncDirectory(of path: String) throws(StoreError) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", directory) }
        defer { closeDescriptor(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync", directory) }
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
