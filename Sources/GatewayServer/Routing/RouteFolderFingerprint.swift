import Foundation

// On Linux, which clang module owns `struct stat` depends on the module graph (Dispatch's once NIO
// is in it); importing it keeps member lookups visible whichever it is.
#if canImport(CDispatch)
import CDispatch
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A cheap summary of a routes folder: every file and folder under it with its size, modification time
/// and file number. Two fingerprints differ when a file was added, changed, removed or renamed, or a
/// folder appeared or went away.
///
/// Hidden entries are left out, as the loader skips them (editors' swap files should not trigger
/// reloads). Symbolic links are followed, so a Kubernetes ConfigMap volume, whose files are links
/// through a `..data` link that is swapped on update, changes the fingerprint when it is updated.
public struct RouteFolderFingerprint: Sendable, Hashable {
    /// One file or folder, by its path relative to the routes folder.
    public struct Entry: Sendable, Hashable {
        public var path: String
        public var isDirectory: Bool
        public var size: Int64
        /// Modification time in nanoseconds since 1970.
        public var modified: Int64
        /// The inode: an editor that saves by writing a new file and renaming it changes it.
        public var fileNumber: UInt64
    }

    /// Entries sorted by path; empty for an empty or missing folder.
    public var entries: [Entry]
    /// Whether the folder itself exists.
    public var exists: Bool

    /// Walks `directory` now.
    public init(directory: String) {
        var entries: [Entry] = []
        exists = Self.status(of: directory)?.isDirectory == true
        if exists { Self.walk(directory, relative: "", depth: 0, into: &entries) }
        self.entries = entries
    }

    /// Deep enough for any real layout, and a stop for symbolic link loops.
    static let maximumDepth = 32

    private static func walk(_ folder: String, relative: String, depth: Int, into entries: inout [Entry]) {
        guard depth < maximumDepth, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = folder + "/" + name
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            // An entry that vanished between listing and stat is simply not there.
            guard var entry = status(of: path) else { continue }
            entry.path = relativePath
            entries.append(entry)
            if entry.isDirectory { walk(path, relative: relativePath, depth: depth + 1, into: &entries) }
        }
    }

    /// `stat(2)`, following symbolic links.
    private static func status(of path: String) -> Entry? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return Entry(
            path: path,
            isDirectory: (info.st_mode & S_IFMT) == S_IFDIR,
            size: Int64(info.st_size),
            modified: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec),
            fileNumber: UInt64(info.st_ino)
        )
    }
}
