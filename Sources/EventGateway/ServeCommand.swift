import ArgumentParser
import Foundation
import GatewayServer
import Logging
import NIOCore
import NIOPosix

/// `event-gateway serve`: run the gateway.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway: accept events over HTTP, route them and deliver them to the subscribed functions.",
        discussion: """
            Settings come from the defaults, then --config FILE, then EVENT_GATEWAY_* environment variables, then
            these flags. Without a configuration it listens on 127.0.0.1:8080, reads routes/ and keeps async calls
            in data/deliveries.sqlite. SIGHUP reloads the routes folder; SIGTERM and SIGINT stop accepting, finish
            calls in flight, and exit 0; queued calls resume on the next start.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "The routes folder (default: routes).")
    var routes: String?

    @Option(name: .long, help: "The interface to listen on (default: 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "The port to listen on (default: 8080; 0 picks a free one).")
    var port: Int?

    func run() async throws {
        // One event loop per CPU this process may use (an explicit NIO_SINGLETON_GROUP_LOOP_COUNT wins).
        if ProcessInfo.processInfo.environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil, let cpus = CPUAffinity.allowedCPUs()?.count, cpus < System.coreCount {
            NIOSingletons.groupLoopCountSuggestion = cpus
        }
        // Swift concurrency's jobs then run on the event loops that serve the connections and make the
        // function calls, instead of hopping to a separate thread pool and back for every request.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let configuration: GatewayConfiguration
        do {
            configuration = try resolvedConfiguration()
        } catch {
            standardError("\(error)")
            throw ExitCode.failure
        }
        do {
            try await Gateway(configuration: configuration, logger: Self.logger()).run()
        } catch let error as ConfigurationError {
            standardError("\(error)")
            throw ExitCode.failure
        }
    }

    /// The process's logger, at `LOG_LEVEL` (default info).
    static func logger() -> Logger {
        var logger = Logger(label: "event-gateway")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }

    /// Defaults, then the file, then the environment, then the flags.
    func resolvedConfiguration() throws -> GatewayConfiguration {
        var configuration = try options.resolved()
        if let routes { configuration.routesDirectory = routes }
        if let host { configuration.host = host }
        if let port {
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
            configuration.port = port
        }
        return configuration
    }
}
