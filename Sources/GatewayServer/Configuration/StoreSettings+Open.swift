import Foundation
public import GatewayDelivery
public import Logging
import ServiceLifecycle

extension StoreSettings {
    /// Opens the durable store for a command (`event-gateway dlq`, `status`) while `body` runs, then
    /// closes it. It may run beside the gateway: SQLite lets several processes share its file, and
    /// PostgreSQL several clients.
    ///
    /// - Throws: ``ConfigurationError`` for the in-memory queue (nothing outlives its process), for a
    ///   SQLite file that does not exist (the gateway creates it on its first start), and when the
    ///   store has no server to reach; the store's error when it cannot open; `body`'s error.
    public func withStore<T: Sendable>(logger: Logger, _ body: @escaping @Sendable (any DeliveryStore) async throws -> T) async throws -> T {
        guard var configuration = try storeConfiguration() else {
            throw ConfigurationError(
                "delivery.store.kind", "the store is memory: its calls and dead letters live only inside the running gateway; use sqlite or postgres")
        }
        if kind == .sqlite, !FileManager.default.fileExists(atPath: sqlitePath) {
            throw ConfigurationError(
                "delivery.store.directory", "no delivery store at \(sqlitePath): the gateway creates it when it first starts (is the data directory right?)")
        }
        // A command runs a few statements: no connection held open for it.
        configuration.servesGateway = false
        let store = configuration.makeStore(logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [store], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let value: T
            do {
                value = try await body(store)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        }
    }
}
