import ArgumentParser
import GatewayCore

/// `event-gateway dialects`: one line per dialect, in detection order.
struct DialectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialects",
        abstract: "List the dialects the gateway understands, in detection order."
    )

    func run() {
        let dialects = Normalizer().dialects
        let width = dialects.map(\.name.count).max() ?? 0
        for dialect in dialects {
            print(dialect.name + String(repeating: " ", count: width - dialect.name.count + 2) + dialect.summary)
        }
    }
}
