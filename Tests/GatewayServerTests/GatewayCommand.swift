import Foundation
import Testing

/// A run of the real `event-gateway` binary that ends by itself (`dlq`, `status`), its output kept in
/// files so that a large output cannot block it, and its end awaited without blocking a thread.
struct GatewayCommand {
    var status: Int32
    var output: String
    var error: String

    /// Runs `event-gateway ARGUMENTS` with `environment` added to this process's (whose `EVENT_GATEWAY_*`
    /// variables are left out).
    static func run(_ arguments: [String], environment: [String: String]) async throws -> GatewayCommand {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputPath = folder.appendingPathComponent("out").path
        let errorPath = folder.appendingPathComponent("err").path
        for path in [outputPath, errorPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: GatewayProcess.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EVENT_GATEWAY_") }.merging(environment) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        process.standardInput = FileHandle.nullDevice
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return GatewayCommand(
            status: status, output: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            error: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    /// The output as JSON (Foundation objects).
    func json(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Any {
        #expect(status == 0, "exit status \(status): \(error)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed])
    }
}
