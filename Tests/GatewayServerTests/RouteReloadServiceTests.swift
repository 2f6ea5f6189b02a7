import Foundation
import GatewayCore
import GatewayServer
import InMemoryLogging
import Logging
import ServiceLifecycle
import Testing
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct RouteReloadServiceTests {
    /// Waits until `condition` holds, checking every 10 ms, for at most `timeout`.
    static func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// Runs `service` in a child task for the duration of `body`, then cancels it and waits for it to end.
    static func running<T: Sendable>(_ service: RouteReloadService, _ body: () async throws -> T) async throws -> T {
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let result = try await body()
        task.cancel()
        try await task.value
        return result
    }

    @Test func noticesChangesByItself() async throws {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", RoutesFolder.routes([("orders", "com.example.order")]))
        let store = RouteTableStore(directory: folder.path)
        let service = RouteReloadService(
            store: store, configuration: .init(interval: .milliseconds(20), reloadSignal: nil), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await Self.running(service) { () async throws in
            try folder.write("refunds.yaml", RoutesFolder.routes([("refunds", "com.example.refund")]))
            #expect(try await Self.eventually { store.table.match(envelope(type: "com.example.refund")).routeIDs == ["refunds"] })
            // At least one reload: a poll may also catch the write half done (the temporary file of an
            // atomic write, a folder before its file), which reloads an unchanged table.
            #expect(store.status.version >= 2)

            try folder.write("shop/returns.yaml", RoutesFolder.routes([("returns", "com.example.return")]))
            #expect(try await Self.eventually { store.status.routeCount == 3 })

            try folder.remove("refunds.yaml")
            #expect(try await Self.eventually { store.status.routeCount == 2 })
            #expect(store.table.match(envelope(type: "com.example.refund")).routeIDs.isEmpty)

            // An unchanged folder is not reloaded.
            let version = store.status.version
            try await Task.sleep(for: .milliseconds(200))
            #expect(store.status.version == version)
        }
    }

    @Test func logsEachErrorWithItsLocation() async throws {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", RoutesFolder.routes([("orders", "com.example.order")]))
        let store = RouteTableStore(directory: folder.path)
        let logs = InMemoryLogHandler()
        let service = RouteReloadService(
            store: store, configuration: .init(interval: .milliseconds(20), reloadSignal: nil), logger: Logger(label: "test", factory: { _ in logs }))
        try await Self.running(service) { () async throws in
            #expect(try await Self.eventually { logs.entries.contains { $0.message.description == "watching routes folder" } })
            let loaded = try #require(logs.entries.first { $0.message.description == "routes loaded" })
            #expect(loaded.level == .info)
            #expect(loaded.metadata["route.version"] == "1")
            #expect(loaded.metadata["route.count"] == "1")

            try folder.write("orders.yaml", "routes:\n  - id: orders\n    topic: orders\n    when:\n      type: {gt: x}\n      data.a: {cidr: nope}\n")
            #expect(try await Self.eventually { logs.entries.filter { $0.level == .error }.count == 2 })
            let errors = logs.entries.filter { $0.level == .error }
            for entry in errors {
                let file = try #require(entry.metadata["route.file"]?.description)
                let line = try #require(entry.metadata["route.line"]?.description)
                let column = try #require(entry.metadata["route.column"]?.description)
                #expect(file.hasSuffix("orders.yaml"))
                #expect(entry.message.description.hasPrefix("\(file):\(line):\(column): "))
            }
            #expect(errors.map { $0.metadata["route.line"]?.description } == ["5", "6"])
            #expect(store.status.version == 1)
            #expect(try await Self.eventually { logs.entries.contains { $0.level == .warning && $0.message.description.contains("version 1 stays in use") } })
        }
    }

    @Test func sighupForcesReload() async throws {
        // Trap SIGHUP here first, so that a signal can never reach the process's default action.
        let guardSignals = await UnixSignalsSequence(trapping: .sighup)
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", RoutesFolder.routes([("orders", "com.example.order")]))
        let store = RouteTableStore(directory: folder.path)
        let logs = InMemoryLogHandler()
        // Polling never runs within the test: only the signal can reload.
        let service = RouteReloadService(
            store: store, configuration: .init(interval: .seconds(3600), reloadSignal: .sighup), logger: Logger(label: "test", factory: { _ in logs }))
        try await Self.running(service) { () async throws in
            #expect(try await Self.eventually { logs.entries.contains { $0.message.description == "watching routes folder" } })
            // Other suites' SIGHUPs reach this process too: count from whatever version is current.
            let before = store.status.version
            kill(getpid(), SIGHUP)
            #expect(try await Self.eventually { store.status.version > before })
            #expect(logs.entries.contains { $0.metadata["route.reload.reason"] == "signal" })
        }
        withExtendedLifetime(guardSignals) {}
    }

    @Test func gracefulShutdownStopsTheService() async throws {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", RoutesFolder.routes([("orders", "com.example.order")]))
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let service = RouteReloadService(
            store: RouteTableStore(directory: folder.path), configuration: .init(interval: .milliseconds(20), reloadSignal: nil), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(100))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
