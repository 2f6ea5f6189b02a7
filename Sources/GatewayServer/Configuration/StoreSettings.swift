public import GatewayDelivery

/// Where async calls wait (`delivery.store.*`): a SQLite file, a PostgreSQL database, or memory; and the
/// queue's bounds.
@dynamicMemberLookup
public struct StoreSettings: Sendable, Equatable {
    /// Which store keeps the queue.
    public enum Kind: String, Sendable, CaseIterable {
        /// A SQLite file under ``StoreSettings/directory``: one gateway process, durable.
        case sqlite
        /// A PostgreSQL database: several gateway processes share it, durable.
        case postgres
        /// In memory: lost when the process ends; no dead-letter commands. For tests and throwaway use.
        case memory
    }

    /// Which store (default sqlite).
    public var kind: Kind
    /// The data directory, relative to the working directory unless absolute (default `data`); the
    /// SQLite store is its file ``sqliteFileName``. Created when missing.
    public var directory: String
    /// The PostgreSQL server, for kind postgres.
    public var postgres: PostgresSettings?
    /// The queue's bounds and timings (``QueuePolicy``), also readable as the settings' own members.
    public var queue: QueuePolicy

    /// The SQLite file's name in ``directory``.
    public static let sqliteFileName = "deliveries.sqlite"

    public init(kind: Kind = .sqlite, directory: String = "data", postgres: PostgresSettings? = nil, queue: QueuePolicy = QueuePolicy()) {
        self.kind = kind
        self.directory = directory
        self.postgres = postgres
        self.queue = queue
    }

    public subscript<Value>(dynamicMember member: WritableKeyPath<QueuePolicy, Value>) -> Value {
        get { queue[keyPath: member] }
        set { queue[keyPath: member] = newValue }
    }

    /// The SQLite file.
    public var sqlitePath: String {
        (directory.hasSuffix("/") ? directory : directory + "/") + Self.sqliteFileName
    }

    /// The durable store's configuration; nil for kind memory.
    ///
    /// - Throws: ``ConfigurationError`` when kind postgres has no server to reach.
    public func storeConfiguration() throws(ConfigurationError) -> DeliveryStoreConfiguration? {
        let backend: DeliveryStoreConfiguration.Backend
        switch kind {
        case .memory: return nil
        case .sqlite: backend = .sqlite(path: sqlitePath)
        case .postgres:
            guard let postgres, !postgres.host.isEmpty, !postgres.username.isEmpty else { throw Self.missingPostgres }
            backend = .postgres(postgres)
        }
        return DeliveryStoreConfiguration(backend: backend, queue: queue)
    }

    static let missingPostgres = ConfigurationError(
        "delivery.store", "kind is postgres but no server is given: set delivery.store.postgres.url (EVENT_GATEWAY_POSTGRES_URL), or its host and user")

    /// What a description of the store says: `sqlite data/deliveries.sqlite`, `postgres 127.0.0.1:5432/db`, `memory`.
    public var summary: String {
        switch kind {
        case .sqlite: return "sqlite \(sqlitePath)"
        case .memory: return "memory"
        case .postgres:
            guard let postgres else { return "postgres" }
            return "postgres \(postgres.host):\(postgres.port)/\(postgres.database ?? postgres.username)"
        }
    }
}
