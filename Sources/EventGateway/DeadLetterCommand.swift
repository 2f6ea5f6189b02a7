import ArgumentParser
import Foundation
import GatewayDelivery
import GatewayServer
import Logging

/// `event-gateway dlq list|show|replay|drop`: the calls that failed for good, in the store the gateway
/// uses (the same `--config`, environment and flags as `serve`).
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List, show, replay and drop dead letters: async calls that failed for good.",
        discussion: """
            The store comes from the same settings as serve: --config FILE, EVENT_GATEWAY_* variables, then \
            --store, --data-directory and --postgres-url. It may run while the gateway runs.
            """,
        subcommands: [DeadLetterListCommand.self, DeadLetterShowCommand.self, DeadLetterReplayCommand.self, DeadLetterDropCommand.self]
    )
}

/// Dead letters by function and time, for `list` and `replay`.
struct DeadLetterFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Only this function (its name, or name.namespace).")
    var function: String?

    @Option(name: .long, help: "Dead since: an RFC 3339 time (2026-11-23T04:00:00Z) or a duration ago (30m, 2h).")
    var since: String?

    @Option(name: .long, help: "Dead before: an RFC 3339 time or a duration ago.")
    var until: String?

    func filter(now: Date = Date()) throws -> DeadLetterFilter {
        DeadLetterFilter(function: function, since: try since.map { try Self.time($0, "--since", now: now) }, until: try until.map { try Self.time($0, "--until", now: now) })
    }

    static func time(_ text: String, _ option: String, now: Date) throws -> Date {
        if let duration = DurationText.parse(text) {
            return now.addingTimeInterval(-duration.seconds)
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw ValidationError("\(option) \(text.debugDescription): expected an RFC 3339 time like 2026-11-23T04:00:00Z or a duration ago like 30m")
    }
}

/// Runs a command's work on the store its options name; problems go to standard error with exit status 1.
func withStore<T: Sendable>(_ options: ConfigurationOptions, _ body: @escaping @Sendable (any DeliveryStore) async throws -> T) async throws -> T {
    do {
        let configuration = try options.resolved()
        var logger = ServeCommand.logger()
        // The store's own notices and warnings (PostgresNIO warns when a query races its pool's start)
        // would mix with the command's output; its errors surface as the command's error anyway.
        logger.logLevel = max(logger.logLevel, .error)
        return try await configuration.store.withStore(logger: logger, body)
    } catch let error as ExitCode {
        throw error
    } catch {
        standardError("event-gateway: \(error)")
        throw ExitCode.failure
    }
}

/// One dead letter in the store the configuration names, for `show` and `drop`.
struct DeadLetterTarget: ParsableArguments {
    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "The dead letter's id (dlq list shows them).") var id: String
    @Flag(name: .long, help: "Print JSON.") var json = false
}

/// Says that no dead letter has this id; the command exits 1.
func unknownDeadLetter(_ id: String) -> ExitCode {
    standardError("event-gateway: no dead letter with id \(id)")
    return ExitCode.failure
}

/// `event-gateway dlq list`.
struct DeadLetterListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List dead letters, oldest first.")

    @OptionGroup var options: ConfigurationOptions
    @OptionGroup var filter: DeadLetterFilterOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let filter = try filter.filter()
        let letters = try await withStore(options) { try await $0.deadLetters(filter) }
        if json {
            print(StoreOutput.json(letters.map { StoreOutput.object($0, full: false) }))
        } else if letters.isEmpty {
            print("no dead letters")
        } else {
            print(StoreOutput.table([StoreOutput.deadLetterHeader] + letters.map(StoreOutput.row)))
        }
    }
}

/// `event-gateway dlq show ID`.
struct DeadLetterShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one dead letter: the last answer and the envelopes.")

    @OptionGroup var target: DeadLetterTarget

    func run() async throws {
        let id = target.id
        guard let letter = try await withStore(target.options, { try await $0.deadLetter(id: id) }) else { throw unknownDeadLetter(id) }
        print(target.json ? StoreOutput.json(StoreOutput.object(letter, full: true)) : StoreOutput.details(letter))
    }
}

/// `event-gateway dlq replay`.
struct DeadLetterReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Put dead letters back in the queue, due at once with their attempts counted anew.",
        discussion: """
            Every dead letter matching the filters is replayed (all of them without filters), except those replayed \
            delivery.store.max_replays times already (default 3): those are refused and named, and the exit status is 1.
            """)

    @OptionGroup var options: ConfigurationOptions
    @OptionGroup var filter: DeadLetterFilterOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let filter = try filter.filter()
        let report = try await withStore(options) { try await $0.replay(filter) }
        if json {
            let refused = report.refused.map { ["id": $0.id, "replays": $0.replays, "limit": $0.limit, "message": $0.description] as [String: Any] }
            print(StoreOutput.json(["replayed": report.replayed, "refused": refused] as [String: Any]))
        } else {
            print("replayed \(report.replayed.count) dead letter\(report.replayed.count == 1 ? "" : "s")" + (report.replayed.isEmpty ? "" : ":"))
            for id in report.replayed { print("  \(id)") }
            for refusal in report.refused { standardError("event-gateway: \(refusal)") }
        }
        if !report.refused.isEmpty { throw ExitCode.failure }
    }
}

/// `event-gateway dlq drop ID`.
struct DeadLetterDropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drop", abstract: "Delete one dead letter for good.")

    @OptionGroup var target: DeadLetterTarget

    func run() async throws {
        let id = target.id
        let dropped = try await withStore(target.options) { try await $0.drop(id: id) }
        if target.json { print(StoreOutput.json(["dropped": dropped, "id": id] as [String: Any])) }
        guard dropped else { throw unknownDeadLetter(id) }
        if !target.json { print("dropped \(id)") }
    }
}
