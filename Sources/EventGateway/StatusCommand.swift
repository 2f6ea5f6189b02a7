import ArgumentParser
import GatewayDelivery

/// `event-gateway status`: the delivery queue's figures per function.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the delivery queue per function: depth, in flight, dead letters and the oldest call's age.",
        discussion: "The store comes from the same settings as serve; it may run while the gateway runs.")

    @OptionGroup var options: ConfigurationOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let status = try await withStore(options) { try await $0.status() }
        print(json ? StoreOutput.json(StoreOutput.object(status)) : StoreOutput.statusTable(status))
    }
}
