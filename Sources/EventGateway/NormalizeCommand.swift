import ArgumentParser
import Foundation
import GatewayCore

/// `event-gateway normalize FILE...`: prints the envelopes of every file as one JSON array.
struct NormalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Normalize event bodies into CloudEvents (JSON format) and print them as one JSON array.",
        discussion: """
            Each FILE is one request body; '-' reads standard input. The dialect is detected from the
            headers, the path and the body unless --dialect names it. On the first error the command prints
            it on standard error and exits 1.
            """
    )

    @Argument(help: "Event bodies to normalize ('-' for standard input).")
    var files: [String]

    @Option(help: "The dialect to decode with (see `event-gateway dialects`); skips detection.")
    var dialect: String?

    @Option(name: .customLong("header"), help: "A request header, 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(help: "The request path, e.g. /api/v1/namespaces/_/triggers/t1 for an OpenWhisk fire.")
    var path: String?

    @Option(help: "Receipt time (RFC 3339), stamped where the source has no time.")
    var receivedAt: String?

    func validate() throws {
        if let receivedAt, Timestamp(rfc3339: receivedAt) == nil {
            throw ValidationError("--received-at must be an RFC 3339 time, got '\(receivedAt)'")
        }
        for header in headers where !header.contains(":") {
            throw ValidationError("--header must look like 'Name: value', got '\(header)'")
        }
    }

    func run() throws {
        let normalizer = Normalizer()
        var envelopes: [Envelope] = []
        for file in files {
            let event = IncomingEvent(
                body: try Self.read(file),
                headers: EventHeaders(headers.map(Self.field)),
                path: path,
                dialect: dialect,
                receivedAt: receivedAt.flatMap(Timestamp.init(rfc3339:))
            )
            do {
                let result = try normalizer.normalize(event)
                for warning in result.warnings { standardError("event-gateway: \(file): warning: \(warning)") }
                envelopes += result.envelopes
            } catch {
                standardError("event-gateway: \(file): \(error)")
                throw ExitCode.failure
            }
        }
        FileHandle.standardOutput.write(Data(Envelope.jsonArray(envelopes, pretty: true) + [0x0A]))
    }

    /// The bytes of `file`, or standard input for '-'; exits 1 when the file cannot be read.
    static func read(_ file: String) throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            standardError("event-gateway: \(file): cannot read the file")
            throw ExitCode.failure
        }
        return Array(data)
    }

    static func field(_ header: String) -> EventHeaders.Field {
        let name = header.prefix { $0 != ":" }
        let value = header.dropFirst(name.count + 1)
        return .init(name: name.trimmingCharacters(in: .whitespaces), value: value.trimmingCharacters(in: .whitespaces))
    }
}

func standardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
