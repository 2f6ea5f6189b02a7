import Foundation
import GatewayCore
import GatewayServer
import Synchronization
import Testing

struct ConcurrentReloadTests {
    /// Version `k` of the folder: two files whose routes carry `k` in their ids, and a third route in a
    /// subfolder on even versions, so that a table mixing two versions would show.
    static func writeVersion(_ version: Int, to folder: RoutesFolder) throws {
        try folder.write("a.yaml", RoutesFolder.routes([("a-\(version)", "com.example.order")]))
        try folder.write("b.yaml", RoutesFolder.routes([("b-\(version)", "com.example.order")]))
        if version.isMultiple(of: 2) {
            try folder.write("sub/c.yaml", RoutesFolder.routes([("c-\(version)", "com.example.order")]))
        } else {
            try? folder.remove("sub/c.yaml")
        }
    }

    @Test func matchingDuringReloadsSeesOnlyWholeTables() async throws {
        let folder = try RoutesFolder()
        try Self.writeVersion(0, to: folder)
        let store = RouteTableStore(directory: folder.path)
        let order = envelope(type: "com.example.order")
        // The result each version that existed gives; a reader's result must be one of them.
        let shared = Shared(first: store.table.match(order).routeIDs)

        let observed = try await withThrowingTaskGroup(of: [[String]].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var seen: [[String]] = []
                    while !shared.done.load(ordering: .acquiring) {
                        let table = store.table
                        seen.append(table.match(order).routeIDs)
                        // The same table answers the same way, whatever reloads in the meantime.
                        #expect(table.match(order).routeIDs == seen.last)
                        await Task.yield()
                    }
                    return seen
                }
            }
            group.addTask {
                defer { shared.done.store(true, ordering: .releasing) }
                for version in 1...60 {
                    if version.isMultiple(of: 10) {
                        // A broken folder never replaces the table.
                        try folder.write("a.yaml", "routes:\n  - id: broken\n")
                        guard case .failed = store.reload() else { throw ReloadTestError("a broken folder was accepted") }
                    }
                    try Self.writeVersion(version, to: folder)
                    // Record the version's result before it becomes visible to readers.
                    let expected = ["a-\(version)", "b-\(version)"] + (version.isMultiple(of: 2) ? ["c-\(version)"] : [])
                    shared.versions.withLock { _ = $0.insert(expected) }
                    guard case .loaded = store.reload() else { throw ReloadTestError("version \(version) was rejected: \(store.status.lastErrors)") }
                    #expect(store.table.match(order).routeIDs == expected)
                    await Task.yield()
                }
                return []
            }
            var all: [[String]] = []
            for try await seen in group { all += seen }
            return all
        }
        let known = shared.versions.withLock { $0 }
        #expect(known.count == 61)
        #expect(!observed.isEmpty)
        let unknown = observed.filter { !known.contains($0) }
        #expect(unknown.isEmpty, "results of no table version: \(Set(unknown))")
        #expect(store.status.version == 61)
    }
}

/// What the readers and the writer share.
final class Shared: Sendable {
    /// The result each version that existed gives.
    let versions: Mutex<Set<[String]>>
    /// Set when the writer is done.
    let done = Atomic<Bool>(false)

    init(first: [String]) {
        versions = Mutex([first])
    }
}

struct ReloadTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
