import ArgumentParser
import Foundation
import GatewayServer

/// The options that say where the configuration and the delivery store are: `serve`, `dlq` and
/// `status` read them alike, so that the commands find the store the gateway uses.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "A YAML configuration file (see docs/serve.md).")
    var config: String?

    @Option(name: .long, help: "The delivery store: sqlite (default), postgres or memory.")
    var store: String?

    @Option(name: .customLong("data-directory"), help: "Where the SQLite store lives (default: data).")
    var dataDirectory: String?

    @Option(name: .customLong("postgres-url"), help: "The PostgreSQL store's server: postgres://user[:password]@host[:port][/database].")
    var postgresURL: String?

    /// Defaults, then the file, then the environment, then these flags.
    ///
    /// - Throws: ``ConfigurationErrors`` naming each problem; `ValidationError` for a bad flag.
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GatewayConfiguration {
        var configuration = try config.map { path throws(ConfigurationErrors) in try GatewayConfiguration(contentsOfFile: path) } ?? GatewayConfiguration()
        // The flags go in as the variables they stand for: one reader, and the store is checked once.
        var environment = environment
        let flags: [(value: String?, variable: String, flag: String)] = [
            (store, "EVENT_GATEWAY_STORE", "--store"), (dataDirectory, "EVENT_GATEWAY_DATA_DIRECTORY", "--data-directory"),
            (postgresURL, "EVENT_GATEWAY_POSTGRES_URL", "--postgres-url"),
        ]
        for flag in flags { if let value = flag.value { environment[flag.variable] = value } }
        do {
            try configuration.applyEnvironment(environment)
        } catch {
            // A flag's problem names the flag, not the variable it went in as.
            var errors = error.errors
            for index in errors.indices {
                if let flag = flags.first(where: { $0.value != nil && errors[index].location == "environment \($0.variable)" }) {
                    errors[index].location = flag.flag
                }
            }
            throw ConfigurationErrors(errors)
        }
        return configuration
    }
}
