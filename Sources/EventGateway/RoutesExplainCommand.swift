import ArgumentParser
import GatewayCore

/// `event-gateway routes explain EVENT_FILE`: how each envelope of an event is routed, route by route.
struct RoutesExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Normalize an event and show, for each envelope, which routes match and why the others do not.",
        discussion: """
            For each envelope, prints one line per route ('id: matched', or 'id: not matched: ' with the
            failing conditions and the values seen), then the topics. EVENT_FILE '-' reads standard input.
            """
    )

    @Argument(help: "The event body ('-' for standard input).")
    var eventFile: String

    @Option(help: "The routes folder.")
    var dir = "routes"

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
        let table = try RoutesCommand.load(dir)
        let event = IncomingEvent(
            body: try NormalizeCommand.read(eventFile),
            headers: EventHeaders(headers.map(NormalizeCommand.field)),
            path: path,
            dialect: dialect,
            receivedAt: receivedAt.flatMap(Timestamp.init(rfc3339:))
        )
        let normalization: Normalization
        do {
            normalization = try Normalizer().normalize(event)
        } catch {
            standardError("event-gateway: \(eventFile): \(error)")
            throw ExitCode.failure
        }
        guard !normalization.envelopes.isEmpty else {
            print("\(normalization.dialect): the event has no envelopes")
            return
        }
        for (position, envelope) in normalization.envelopes.enumerated() {
            print("envelope \(position) (\(normalization.dialect)): type \(envelope.type), source \(envelope.source), id \(envelope.id)")
            for explanation in table.explain(envelope) { print("  " + explanation.summary) }
            let topics = table.match(envelope).topics
            print("  topics: " + (topics.isEmpty ? "none" : topics.joined(separator: ", ")))
        }
    }
}
