import Foundation
public import GatewayDelivery
import Logging
import PostgresNIO

/// The throwaway PostgreSQL server that `scripts/test` starts for the store tests.
public enum TestPostgres {
    /// The environment variable that carries the server's URL.
    public static let variable = "EVENT_GATEWAY_TEST_POSTGRES"

    /// A PostgreSQL test ran without a server: these tests never skip, they say what to do.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "\(TestPostgres.variable) is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL and sets it"
        }
    }

    /// A new, empty database on the server, named `prefix` and a random part, so that tests never share one.
    ///
    /// - Throws: ``Missing`` when ``variable`` is not set; the server's error when it refuses.
    public static func createDatabase(prefix: String) async throws -> PostgresSettings {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else { throw Missing() }
        var settings = try PostgresSettings(url: url)
        let client = PostgresClient(
            configuration: .init(
                host: settings.host, port: settings.port, username: settings.username, password: settings.password, database: settings.database,
                tls: .disable),
            backgroundLogger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let name = prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query("CREATE DATABASE \(unescaped: name)")
        }
        settings.database = name
        return settings
    }
}
