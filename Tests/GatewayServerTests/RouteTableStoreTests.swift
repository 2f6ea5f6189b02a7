import Foundation
import GatewayCore
import GatewayServer
import Testing

struct RouteTableStoreTests {
    @Test func validChangeIsApplied() throws {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", RoutesFolder.routes([("orders", "com.example.order")]))
        let store = RouteTableStore(directory: folder.path)
        #expect(store.status.version == 1)
        #expect(store.status.routeCount == 1)
        #expect(store.status.fileCount == 1)
        #expect(store.status.lastErrors.isEmpty)
        #expect(store.status.loadedAt != nil)
        #expect(store.table.match(envelope(type: "com.example.order")).routeIDs == ["orders"])

        try folder.write("orders.yaml", RoutesFolder.routes([("orders-v2", "com.example.order.v2"), ("refunds", "com.example.refund")]))
        guard case .loaded(let status) = store.reload() else {
            Issue.record("the valid change was rejected: \(store.status.lastErrors)")
            return
        }
        #expect(status.version == 2)
        #expect(status.routeCount == 2)
        #expect(store.status == status)
        #expect(store.table.match(envelope(type: "com.example.order.v2")).routeIDs == ["orders-v2"])
        #expect(store.table.match(envelope(type: "com.example.order")).routeIDs.isEmpty)
    }

    @Test func invalidChangeKeepsTheLastGoodTable() throws {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", RoutesFolder.routes([("orders", "com.example.order")]))
        let store = RouteTableStore(directory: folder.path)
        let loadedAt = store.status.loadedAt
        try folder.write(
            "orders.yaml",
            """
            routes:
              - id: orders
                topic: orders
                when:
                  type: {prefixx: com.example.}
            """)
        guard case .failed(let errors, let status) = store.reload() else {
            Issue.record("the invalid change was accepted")
            return
        }
        #expect(status.version == 1)
        #expect(status.loadedAt == loadedAt)
        #expect(status.lastAttemptAt != loadedAt)
        let error = try #require(errors.errors.first)
        #expect(status.lastErrors == errors.errors)
        #expect(error.location.file.hasSuffix("orders.yaml"))
        #expect(error.location.line == 5)
        #expect(error.location.column > 1)
        #expect(error.description.hasPrefix("\(error.location.file):5:\(error.location.column): "))
        #expect(store.table.match(envelope(type: "com.example.order")).routeIDs == ["orders"])

        // Fixing the file clears the errors.
        try folder.write("orders.yaml", RoutesFolder.routes([("orders", "com.example.order")]))
        #expect(store.reload().status.version == 2)
        #expect(store.status.lastErrors.isEmpty)
    }

    @Test func deletedFileRemovesItsRoutes() throws {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", RoutesFolder.routes([("orders", "com.example.order")]))
        try folder.write("refunds.yaml", RoutesFolder.routes([("refunds", "com.example.refund")]))
        let store = RouteTableStore(directory: folder.path)
        #expect(store.status.routeCount == 2)
        #expect(store.table.match(envelope(type: "com.example.refund")).routeIDs == ["refunds"])

        try folder.remove("refunds.yaml")
        store.reload()
        #expect(store.status.version == 2)
        #expect(store.status.routeCount == 1)
        #expect(store.status.fileCount == 1)
        #expect(store.table.match(envelope(type: "com.example.refund")).routeIDs.isEmpty)
        #expect(store.table.match(envelope(type: "com.example.order")).routeIDs == ["orders"])
    }

    @Test func fileInNewSubfolderIsPickedUp() throws {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", RoutesFolder.routes([("orders", "com.example.order")]))
        let store = RouteTableStore(directory: folder.path)
        try folder.write("shop/eu/returns.yaml", RoutesFolder.routes([("returns", "com.example.return")]))
        store.reload()
        #expect(store.status.fileCount == 2)
        #expect(store.table.match(envelope(type: "com.example.return")).routeIDs == ["returns"])
    }

    @Test func failedFirstLoadStartsEmpty() throws {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", "routes:\n  - id: orders\n    topic: orders\n")
        let store = RouteTableStore(directory: folder.path)
        #expect(store.status.version == 0)
        #expect(store.status.loadedAt == nil)
        #expect(store.status.lastAttemptAt != nil)
        #expect(!store.status.lastErrors.isEmpty)
        #expect(store.table.routes.isEmpty)

        try folder.write("orders.yaml", RoutesFolder.routes([("orders", "com.example.order")]))
        #expect(store.reload().status.version == 1)
        #expect(store.table.match(envelope(type: "com.example.order")).routeIDs == ["orders"])
    }

    @Test func fingerprintSeesAdditionsChangesRemovalsAndFolders() throws {
        let folder = try RoutesFolder()
        let empty = RouteFolderFingerprint(directory: folder.path)
        #expect(empty.exists && empty.entries.isEmpty)
        try folder.write("a.yaml", "routes: []\n")
        let one = RouteFolderFingerprint(directory: folder.path)
        #expect(one != empty)
        try folder.write("a.yaml", "routes: []  \n")
        let changed = RouteFolderFingerprint(directory: folder.path)
        #expect(changed != one)
        try FileManager.default.createDirectory(atPath: folder.path + "/sub", withIntermediateDirectories: false)
        let withFolder = RouteFolderFingerprint(directory: folder.path)
        #expect(withFolder != changed)
        #expect(withFolder.entries.map(\.path) == ["a.yaml", "sub"])
        try folder.write(".a.yaml.swp", "x")
        #expect(RouteFolderFingerprint(directory: folder.path) == withFolder)
        try folder.remove("a.yaml")
        #expect(RouteFolderFingerprint(directory: folder.path).entries.map(\.path) == ["sub"])
        #expect(!RouteFolderFingerprint(directory: folder.path + "/missing").exists)
    }
}
