public import GatewayDelivery

/// Where async calls wait (`delivery.store.*`): a SQLite file, a PostgreSQL database, or memory; and the
/// queue's bounds.
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
    /// How long a re-sent event is recognised and not delivered twice (default 10 minutes).
    public var dedupWindow: Duration
    /// Calls held at most, all functions together (default 100,000); beyond it requests get 429.
    public var maxDepth: Int
    /// Calls held at most for one function (default 10,000); beyond it requests get 429.
    public var maxDepthPerFunction: Int
    /// Calls of one function this process makes at once; nil takes each function's `concurrency`.
    public var maxInFlightPerFunction: Int?
    /// How long a call in flight stays claimed; after a crash it is taken over once it ends (default 5 minutes).
    public var lease: Duration
    /// How long a claim outlasts its function's timeout at least (default 30 s): a function whose timeout
    /// plus this margin is longer than ``lease`` is claimed that long.
    public var leaseMargin: Duration
    /// How often a dead letter may be replayed (default 3).
    public var maxReplays: Int
    /// How often idle workers look for due calls (default 100 ms).
    public var pollInterval: Duration
    /// The `Retry-After` answered with 429 when the queue is full (default 5 s).
    public var fullRetryAfter: Duration

    /// The SQLite file's name in ``directory``.
    public static let sqliteFileName = "deliveries.sqlite"

    public init(
        kind: Kind = .sqlite, directory: String = "data", postgres: PostgresSettings? = nil, dedupWindow: Duration = .seconds(600),
        maxDepth: Int = 100_000, maxDepthPerFunction: Int = 10_000, maxInFlightPerFunction: Int? = nil, lease: Duration = .seconds(300),
        leaseMargin: Duration = .seconds(30), maxReplays: Int = 3, pollInterval: Duration = .milliseconds(100), fullRetryAfter: Duration = .seconds(5)
    ) {
        self.kind = kind
        self.directory = directory
        self.postgres = postgres
        self.dedupWindow = dedupWindow
        self.maxDepth = maxDepth
        self.maxDepthPerFunction = maxDepthPerFunction
        self.maxInFlightPerFunction = maxInFlightPerFunction
        self.lease = lease
        self.leaseMargin = leaseMargin
        self.maxReplays = maxReplays
        self.pollInterval = pollInterval
        self.fullRetryAfter = fullRetryAfter
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
        return DeliveryStoreConfiguration(
            backend: backend, dedupWindow: dedupWindow, maxDepth: maxDepth, maxDepthPerFunction: maxDepthPerFunction,
            maxInFlightPerFunction: maxInFlightPerFunction, lease: lease, leaseMargin: leaseMargin, maxReplays: maxReplays, pollInterval: pollInterval,
            queueFullRetryAfter: fullRetryAfter)
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
