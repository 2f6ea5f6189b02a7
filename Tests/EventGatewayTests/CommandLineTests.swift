import Foundation
import GatewayCore
import GatewayTesting
import Testing

/// Runs the built `event-gateway` binary as a user would.
struct CommandLineTests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("event-gateway").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : Fixtures.repository + "/.build/debug/event-gateway"
    }

    /// Runs the binary to its end on a thread of its own: the blocking reads and wait would otherwise hold
    /// one of the few threads Swift concurrency shares with every other suite (two on a 2-core machine)
    /// and stall their timed tests.
    static func run(_ arguments: [String], input: String? = nil) async throws -> Run {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try runBlocking(arguments, input: input) }) }.start()
        }
    }

    private static func runBlocking(_ arguments: [String], input: String?) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Fixtures.repository)
        let output = Pipe()
        let error = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), error: String(decoding: err, as: UTF8.self))
    }

    @Test func normalizePrintsTheGoldenEnvelopes() async throws {
        let run = try await Self.run(["normalize", "fixtures/functiongraph/smn/two-records-top-level-fields.json"])
        #expect(run.status == 0, "\(run.error)")
        let golden = try RawJSON(validating: String(contentsOfFile: Fixtures.root + "/functiongraph/smn/two-records-top-level-fields.envelopes.json", encoding: .utf8))
        // The golden file holds the dialect and the envelopes; the command prints the envelopes, pretty.
        #expect(try RawJSON(validating: run.output).value == golden.value["envelopes"])
        #expect(run.output.hasPrefix("[\n  {\n") && run.output.hasSuffix("\n]\n"))
    }

    @Test func severalFilesGiveOneArrayInOrder() async throws {
        let files = ["fixtures/functiongraph/smn/single-record.json", "fixtures/functiongraph/smn/two-records-top-level-fields.json", "fixtures/functiongraph/smn/empty-record.json"]
        let run = try await Self.run(["normalize"] + files)
        #expect(run.status == 0, "\(run.error)")
        let envelopes = try RawJSON(validating: run.output).value
        guard case .array(let elements) = envelopes else { Issue.record("not an array: \(run.output)"); return }
        #expect(elements.compactMap { $0["id"]?.stringValue } == ["5c0f1e6a9b2d4c7e8f103a2b4c6d8e0f", "b7e1c9d2a3f44e5b8c6d7e8f9a0b1c2d", "c8f2d0e3b4a55f6c9d7e8f9a0b1c2d3e"])
    }

    @Test func readsStandardInputWithHeadersAndPath() async throws {
        let run = try await Self.run(
            ["normalize", "-", "--path", "/api/v1/namespaces/ns1/triggers/t1", "--header", "Content-Type: application/json", "--received-at", "2026-01-01T00:00:00Z"],
            input: "{\"k\": \"v\"}")
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("\"source\": \"/namespaces/ns1/triggers/t1\""))
        #expect(run.output.contains("\"time\": \"2026-01-01T00:00:00Z\""))
    }

    @Test func binaryModeThroughHeaders() async throws {
        let run = try await Self.run(
            ["normalize", "-", "--header", "ce-specversion: 1.0", "--header", "ce-id: 42", "--header", "ce-source: /cli", "--header", "ce-type: t", "--header", "Content-Type: text/plain"],
            input: "hello")
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("\"data\": \"hello\""))
    }

    @Test func namedDialectSkipsDetection() async throws {
        let run = try await Self.run(["normalize", "-", "--dialect", "cloudevents.structured"], input: "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}")
        #expect(run.status == 0, "\(run.error)")
        let unknown = try await Self.run(["normalize", "-", "--dialect", "nope"], input: "{}")
        #expect(unknown.status == 1)
        #expect(unknown.error.contains("unknown dialect \"nope\"; known dialects: cloudevents.batch"))
    }

    @Test func errorsGoToStandardErrorWithExitCodeOne() async throws {
        let run = try await Self.run(["normalize", "fixtures/functiongraph/smn/single-record.json", "-"], input: "{\"record\": [{\"event_source\": \"smn\", \"smn\": 5}]}")
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        #expect(run.error == "event-gateway: -: functiongraph.smn: $.record[0].smn: expected an object, found number 5\n")
    }

    @Test func undetectableBodyListsWhatWasTried() async throws {
        let run = try await Self.run(["normalize", "-"], input: "{\"hello\": \"world\"}")
        #expect(run.status == 1)
        #expect(run.error.contains("no dialect matched the request; tried, in order: cloudevents.batch"))
        #expect(run.error.contains("functiongraph.smn (record[]"))
    }

    @Test func missingFileIsAnError() async throws {
        let run = try await Self.run(["normalize", "does/not/exist.json"])
        #expect(run.status == 1)
        #expect(run.error.contains("does/not/exist.json: cannot read the file"))
    }

    @Test func dialectsListsEveryDialectOnItsOwnLine() async throws {
        let run = try await Self.run(["dialects"])
        #expect(run.status == 0)
        let names = run.output.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(names == Normalizer().dialects.map(\.name))
    }
}
