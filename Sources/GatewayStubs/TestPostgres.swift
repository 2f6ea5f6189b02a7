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
        var settings = try server()
        let name = prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await onServer(settings, "CREATE DATABASE \(name)")
        settings.database = name
        return settings
    }

    /// Drops a database that ``createDatabase(prefix:)`` made, with any connection still open to it.
    /// Left behind, databases kept the server busy beside the tests: its autovacuum visits each one every
    /// `autovacuum_naptime` (2 s under `scripts/postgres`), so with two hundred it started a worker every
    /// 10 ms, and latency measured on the same machine gained about a millisecond at the 99th percentile.
    public static func dropDatabase(_ settings: PostgresSettings) async throws {
        guard let name = settings.database else { return }
        try await onServer(try server(), "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs `body` with a new database, dropped afterwards.
    public static func withDatabase<T>(prefix: String, _ body: (PostgresSettings) async throws -> T) async throws -> T {
        let settings = try await createDatabase(prefix: prefix)
        do {
            let value = try await body(settings)
            try await dropDatabase(settings)
            return value
        } catch {
            try? await dropDatabase(settings)
            throw error
        }
    }

    /// The server's settings, from ``variable``.
    private static func server() throws -> PostgresSettings {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else { throw Missing() }
        return try PostgresSettings(url: url)
    }

    /// Runs `sql` (a statement that takes no parameters, with names this type made) on the database of
    /// `settings`.
    private static func onServer(_ settings: PostgresSettings, _ sql: String) async throws {
        let client = PostgresClient(
            configuration: .init(
                host: settings.host, port: settings.port, username: settings.username, password: settings.password, database: settings.database,
                tls: .disable),
            backgroundLogger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: sql))
        }
    }
}
