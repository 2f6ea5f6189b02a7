import ArgumentParser

/// The `event-gateway` command.
@main
struct EventGateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event-gateway",
        abstract: "Accepts cloud events in every dialect, normalizes them to CloudEvents, routes and delivers them.",
        subcommands: [
            ServeCommand.self, NormalizeCommand.self, DialectsCommand.self, RoutesCommand.self, DeadLetterCommand.self, StatusCommand.self,
        ]
    )
}
