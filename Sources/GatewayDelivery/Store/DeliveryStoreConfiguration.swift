import Foundation
public import Logging

/// Where a ``DeliveryStore`` keeps its queue, and its bounds: what the gateway's configuration fills in.
@dynamicMemberLookup
public struct DeliveryStoreConfiguration: Sendable {
    /// The database.
    public enum Backend: Sendable, Hashable {
        /// A SQLite file (created when missing), in WAL mode, the log synced before a durable commit
        /// returns: one gateway process.
        case sqlite(path: String)
        /// A PostgreSQL database that several gateway processes share.
        case postgres(PostgresSettings)
    }

    public var backend: Backend
    /// Bounds and timings (``QueuePolicy``), also readable as the configuration's own members.
    public var queue: QueuePolicy
    /// Names this process's leases.
    public var owner: String
    public var clock: StoreClock
    /// Whether the store serves a running gateway rather than a command that runs a few statements. A
    /// gateway's PostgreSQL store keeps all its connections open, without keep-alive queries (they are
    /// busy), rather than opening them as statements need them; its SQLite store reads the deduplication
    /// marks of the window as it opens (about a second a million), not in the first enqueue.
    public var servesGateway = true

    /// - Parameters:
    ///   - backend: The database.
    ///   - queue: Bounds and timings (defaults: ``QueuePolicy/init(dedupWindow:maxDepth:maxDepthPerFunction:maxInFlightPerFunction:lease:leaseMargin:maxReplays:pollInterval:queueFullRetryAfter:)``).
    ///   - owner: Default: host name, process id and a random part.
    ///   - clock: Default: the system clock.
    public init(backend: Backend, queue: QueuePolicy = QueuePolicy(), owner: String = Self.processOwner(), clock: StoreClock = .system) {
        self.backend = backend
        self.queue = queue
        self.owner = owner
        self.clock = clock
    }

    public subscript<Value>(dynamicMember member: WritableKeyPath<QueuePolicy, Value>) -> Value {
        get { queue[keyPath: member] }
        set { queue[keyPath: member] = newValue }
    }

    /// `host:pid:random`: unique per process start.
    public static func processOwner() -> String {
        let info = ProcessInfo.processInfo
        return "\(info.hostName):\(info.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    /// The store this configuration describes; it opens when its `run()` starts.
    public func makeStore(logger: Logger) -> any DeliveryStore {
        SQLDeliveryStore(configuration: self, logger: logger)
    }
}
