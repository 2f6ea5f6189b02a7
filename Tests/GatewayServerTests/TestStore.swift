import Foundation
import GatewayDelivery
import GatewayStubs
import GatewayServer
import Logging
import PostgresNIO

/// The durable stores the live suites run against, each in a database of its own.
enum TestStore: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// A fresh store: its settings for the gateway in this process, and the same as environment
    /// variables for the binary.
    struct Database {
        var settings: StoreSettings
        var environment: [String: String]
        /// Removed afterwards (SQLite); nil for PostgreSQL.
        var directory: String?

        /// Removes the SQLite directory or drops the PostgreSQL database.
        func remove() async {
            if let directory { try? FileManager.default.removeItem(atPath: directory) }
            if let postgres = settings.postgres { try? await TestPostgres.dropDatabase(postgres) }
        }
    }

    /// Runs `body` with a fresh ``database()``, removed afterwards (awaited: a drop left to a task of its
    /// own may never run before the test process exits).
    func withDatabase<T>(_ body: (Database) async throws -> T) async throws -> T {
        let database = try await database()
        return try await withCleanup { try await body(database) } cleanup: { await database.remove() }
    }

    /// A fresh SQLite directory, or a new database on the PostgreSQL server `scripts/test` starts.
    ///
    /// - Throws: When PostgreSQL is asked for and `EVENT_GATEWAY_TEST_POSTGRES` is not set (these tests never skip).
    func database() async throws -> Database {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
            return Database(settings: StoreSettings(kind: .sqlite, directory: directory), environment: ["EVENT_GATEWAY_DATA_DIRECTORY": directory], directory: directory)
        case .postgres:
            let settings = try await TestPostgres.createDatabase(prefix: "gateway_")
            var url = "postgres://\(settings.username)"
            if let password = settings.password { url += ":\(password)" }
            url += "@\(settings.host):\(settings.port)/\(settings.database ?? "")"
            return Database(
                settings: StoreSettings(kind: .postgres, postgres: settings), environment: ["EVENT_GATEWAY_STORE": "postgres", "EVENT_GATEWAY_POSTGRES_URL": url],
                directory: nil)
        }
    }

}
