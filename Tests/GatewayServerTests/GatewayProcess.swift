import AsyncHTTPClient
import Foundation
import GatewayTesting
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The real `event-gateway` binary running `serve` as a child process on port 0, its log (standard
/// error) in a file.
///
/// The port comes from the log line `event-gateway listening` with metadata `server.port=N`. A process
/// still running when the value goes away is killed, so a failing test leaves nothing behind.
final class GatewayProcess: @unchecked Sendable {
    /// Only read after the start (state, pid, status), which Foundation's `Process` allows from any thread.
    private let process: Process
    let logPath: String
    let port: Int

    private init(process: Process, logPath: String, port: Int) {
        self.process = process
        self.logPath = logPath
        self.port = port
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// The binary `swift build --build-tests` built beside the test bundle, else the package's debug build.
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("event-gateway").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : Fixtures.repository + "/.build/debug/event-gateway"
    }

    /// Starts `event-gateway serve --port 0 --routes ROUTES` and returns once it listens.
    ///
    /// - Parameters:
    ///   - routes: The routes folder.
    ///   - arguments: More arguments for `serve`.
    ///   - launcher: A command that runs the binary with its arguments (`taskset -c 0`); none by default.
    ///   - environment: Added to this process's environment, whose `EVENT_GATEWAY_*` variables are left out
    ///     and whose `LOG_LEVEL` is `info`; the SQLite store goes to `ROUTES-data` (see
    ///     ``RoutesFolder/dataPath``) unless `EVENT_GATEWAY_DATA_DIRECTORY` says otherwise.
    /// - Throws: When the binary is missing, or the process exits or stays silent for `timeout` before listening.
    static func start(
        routes: String, arguments: [String] = [], launcher: [String] = [], environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> GatewayProcess {
        let binary = binary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ProcessError("no event-gateway binary at \(binary): run swift build --build-tests first")
        }
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("event-gateway-\(UUID().uuidString).log").path
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw ProcessError("cannot create \(logPath)") }
        let process = Process()
        let command = launcher + [binary, "serve", "--port", "0", "--routes", routes] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        // The port and the results are read from info lines, whatever LOG_LEVEL the tests run with.
        var inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EVENT_GATEWAY_") }
        inherited["LOG_LEVEL"] = "info"
        inherited["EVENT_GATEWAY_DATA_DIRECTORY"] = RoutesFolder.dataPath(forRoutes: routes)
        process.environment = inherited.merging(environment) { $1 }
        // One handle for both, so that the two streams do not write over each other.
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The child has its own copy.
        try? log?.close()
        do {
            let port = try await listeningPort(of: process, logPath: logPath, timeout: timeout)
            return GatewayProcess(process: process, logPath: logPath, port: port)
        } catch {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw error
        }
    }

    /// Reads the log until it says which port the process listens on.
    private static func listeningPort(of process: Process, logPath: String, timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let port = listeningPort(in: log) { return port }
            guard process.isRunning else { throw ProcessError("event-gateway exited with status \(process.terminationStatus) before listening:\n\(log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessError("event-gateway did not log that it listens within \(timeout):\n\((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
    }

    /// The port of the `event-gateway listening` line: `... server.port=PORT ... event-gateway listening`.
    static func listeningPort(in log: String) -> Int? {
        for line in log.split(separator: "\n") where line.hasSuffix("event-gateway listening") {
            guard let range = line.range(of: "server.port=") else { continue }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        return nil
    }

    /// Everything the process logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    var isRunning: Bool { process.isRunning }

    /// The process's id (of the launcher's process, which `exec`s the binary, when there is one).
    var pid: Int32 { process.processIdentifier }

    /// Waits until the log contains `text`; returns whether it did within `timeout`.
    func waitForLog(_ text: String, timeout: Duration = .seconds(30)) async -> Bool {
        await eventually(timeout: timeout) { log.contains(text) }
    }

    /// Sends `signal` (SIGTERM, SIGINT, SIGHUP) to the process.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end.
    ///
    /// - Returns: The exit status, and whether it ended by exiting (rather than by a signal).
    /// - Throws: When it still runs after `timeout`.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> (status: Int32, exited: Bool) {
        guard await eventually(timeout: timeout, { !isRunning }) else {
            throw ProcessError("event-gateway still runs \(timeout) later; its log:\n\(log)")
        }
        return (process.terminationStatus, process.terminationReason == .exit)
    }
}

extension GatewayProcess {
    /// POSTs a JSON text to the gateway.
    func post(_ path: String, json: String) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}

struct ProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Opens a new TCP connection to 127.0.0.1:`port` and closes it at once.
///
/// - Returns: 0 when the connection was accepted, else the `errno` of `connect` (`ECONNREFUSED` when
///   nothing listens).
func connectErrno(port: Int) -> Int32 {
    #if canImport(Darwin)
    let socket = socket(AF_INET, SOCK_STREAM, 0)
    #else
    let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #endif
    guard socket >= 0 else { return errno }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return result == 0 ? 0 : errno
}
