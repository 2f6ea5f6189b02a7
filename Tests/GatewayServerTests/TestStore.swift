import Foundation
import GatewayDelivery
import GatewayServer
import Logging
import PostgresNIO

/// The durable stores the live suites run against, each in a database of its own.
enum TestStore: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    var description: String { rawValue }

    static let postgresVariable = "EVENT_GATEWAY_TEST_POSTGRES"

    /// A fresh store: its settings for the gateway in this process, and the same as environment
    /// variables for the binary.
    struct Database {
        var settings: StoreSettings
        var environment: [String: String]
        /// Removed afterwards (SQLite); nil for PostgreSQL, whose test server is thrown away whole.
        var directory: String?

        func remove() {
            if let directory { try? FileManager.default.removeItem(atPath: directory) }
        }
    }

    /// A fresh SQLite directory, or a new database on the PostgreSQL server `scripts/test` starts.
    ///
    /// - Throws: When PostgreSQL is asked for and ``postgresVariable`` is not set (these tests never skip).
    func database() async throws -> Database {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
            return Database(settings: StoreSettings(kind: .sqlite, directory: directory), environment: ["EVENT_GATEWAY_DATA_DIRECTORY": directory], directory: directory)
        case .postgres:
            let settings = try await Self.createPostgresDatabase()
            var url = "postgres://\(settings.username)"
            if let password = settings.password { url += ":\(password)" }
            url += "@\(settings.host):\(settings.port)/\(settings.database ?? "")"
            return Database(
                settings: StoreSettings(kind: .postgres, postgres: settings), environment: ["EVENT_GATEWAY_STORE": "postgres", "EVENT_GATEWAY_POSTGRES_URL": url],
                directory: nil)
        }
    }

    /// A PostgreSQL test ran without a server.
    struct NoPostgres: Error, CustomStringConvertible {
        var description: String {
            "\(TestStore.postgresVariable) is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL and sets it"
        }
    }

    /// A new, empty database on the server ``postgresVariable`` names.
    static func createPostgresDatabase() async throws -> PostgresSettings {
        guard let url = ProcessInfo.processInfo.environment[postgresVariable], !url.isEmpty else { throw NoPostgres() }
        var settings = try PostgresSettings(url: url)
        let client = PostgresClient(
            configuration: .init(
                host: settings.host, port: settings.port, username: settings.username, password: settings.password, database: settings.database,
                tls: .disable),
            backgroundLogger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let name = "gateway_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query("CREATE DATABASE \(unescaped: name)")
        }
        settings.database = name
        return settings
    }
}
