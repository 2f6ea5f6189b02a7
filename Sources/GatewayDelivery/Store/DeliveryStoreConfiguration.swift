import Foundation
public import Logging

/// Where a ``DeliveryStore`` keeps its queue, and its bounds: what the gateway's configuration fills in.
public struct DeliveryStoreConfiguration: Sendable {
    /// The database.
    public enum Backend: Sendable, Hashable {
        /// A SQLite file (created when missing), in WAL mode with `synchronous=FULL`: one gateway process.
        case sqlite(path: String)
        /// A PostgreSQL database that several gateway processes share.
        case postgres(PostgresSettings)
    }

    public var backend: Backend
    /// How long a re-sent invocation (same function, topics, sources and ids) is recognised and not stored again.
    public var dedupWindow: Duration
    /// Invocations held at most, all functions together.
    public var maxDepth: Int
    /// Invocations held at most for one function.
    public var maxDepthPerFunction: Int
    /// Invocations of one function this process delivers at once; nil takes each function's `concurrency`.
    public var maxInFlightPerFunction: Int?
    /// How long a claimed invocation stays leased; after that another worker (or process) takes it over.
    /// A function whose timeout plus ``leaseMargin`` is longer gets a lease that long.
    public var lease: Duration
    /// Time a lease outlasts its function's timeout at least: room to record the outcome after the call
    /// ends, so that a slow call is not taken over while it is still being settled.
    public var leaseMargin: Duration
    /// How often a dead letter may be replayed.
    public var maxReplays: Int
    /// How often an idle worker looks for due invocations (enqueues in this process wake it at once).
    public var pollInterval: Duration
    /// The `Retry-After` suggested when the queue is full.
    public var queueFullRetryAfter: Duration
    /// Names this process's leases.
    public var owner: String
    public var clock: StoreClock

    /// - Parameters:
    ///   - backend: The database.
    ///   - dedupWindow: Default 10 minutes.
    ///   - maxDepth: Default 100 000.
    ///   - maxDepthPerFunction: Default 10 000.
    ///   - maxInFlightPerFunction: Default: each function's concurrency.
    ///   - lease: Default 5 minutes.
    ///   - leaseMargin: Default 30 s.
    ///   - maxReplays: Default 3.
    ///   - pollInterval: Default 100 ms.
    ///   - queueFullRetryAfter: Default 5 s.
    ///   - owner: Default: host name, process id and a random part.
    ///   - clock: Default: the system clock.
    public init(
        backend: Backend, dedupWindow: Duration = .seconds(600), maxDepth: Int = 100_000, maxDepthPerFunction: Int = 10_000,
        maxInFlightPerFunction: Int? = nil, lease: Duration = .seconds(300), leaseMargin: Duration = .seconds(30), maxReplays: Int = 3, pollInterval: Duration = .milliseconds(100),
        queueFullRetryAfter: Duration = .seconds(5), owner: String = Self.processOwner(), clock: StoreClock = .system
    ) {
        self.backend = backend
        self.dedupWindow = dedupWindow
        self.maxDepth = maxDepth
        self.maxDepthPerFunction = maxDepthPerFunction
        self.maxInFlightPerFunction = maxInFlightPerFunction
        self.lease = lease
        self.leaseMargin = leaseMargin
        self.maxReplays = maxReplays
        self.pollInterval = pollInterval
        self.queueFullRetryAfter = queueFullRetryAfter
        self.owner = owner
        self.clock = clock
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
