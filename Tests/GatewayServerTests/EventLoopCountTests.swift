import Foundation
import GatewayServer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real binary runs one event loop per CPU it may use, pinned or not.
@Suite(.timeLimit(.minutes(2)))
struct EventLoopCountTests {
    /// Threads of `pid` that are event loops of NIO's singleton group.
    static func eventLoops(of pid: Int32) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").filter { thread in
            let name = try String(contentsOfFile: "/proc/\(pid)/task/\(thread)/comm", encoding: .utf8)
            return name.hasPrefix("NIO-SGLTN-")
        }.count
    }

    @Test func aGatewayPinnedToOneCPURunsOneEventLoop() async throws {
        let cpus = try #require(CPUAffinity.allowedCPUs())
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset"), "taskset (util-linux) is needed")
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", routeFile(routes: [.all(topic: "orders")]))

        let unpinned = try await GatewayProcess.start(routes: folder.path)
        #expect(try Self.eventLoops(of: unpinned.pid) == cpus.count)
        unpinned.send(SIGKILL)

        let pinned = try await GatewayProcess.start(routes: folder.path, launcher: ["/usr/bin/taskset", "-c", String(cpus[0])])
        #expect(try Self.eventLoops(of: pinned.pid) == 1)
        pinned.send(SIGKILL)
    }
}
