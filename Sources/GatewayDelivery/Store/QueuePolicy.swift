/// The queue's bounds and timings, with their defaults: one set of fields for the store and for the
/// gateway's configuration (`delivery.store.*`) that fills it in.
public struct QueuePolicy: Sendable, Equatable {
    /// How long a re-sent invocation (same function, topics, sources and ids) is recognised and not
    /// stored again.
    public var dedupWindow: Duration
    /// Invocations held at most, all functions together; beyond it enqueues are refused (429).
    public var maxDepth: Int
    /// Invocations held at most for one function; beyond it enqueues are refused (429).
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
    /// Deduplication marks a SQLite store holds in memory at most: past it, the oldest are forgotten
    /// before the window ends, and a warning says since when calls are recognised. At the default, a full
    /// window read at start measured 178 MB resident in all (180 MB at the peak). PostgreSQL keeps its
    /// marks on disk, and ignores it.
    public var maxMarks: Int

    /// - Parameters:
    ///   - dedupWindow: Default 10 minutes.
    ///   - maxDepth: Default 100 000.
    ///   - maxDepthPerFunction: Default 10 000.
    ///   - maxInFlightPerFunction: Default: each function's concurrency.
    ///   - lease: Default 5 minutes.
    ///   - leaseMargin: Default 30 s.
    ///   - maxReplays: Default 3.
    ///   - pollInterval: Default 100 ms.
    ///   - queueFullRetryAfter: Default 5 s.
    ///   - maxMarks: Default 2,000,000.
    public init(
        dedupWindow: Duration = .seconds(600), maxDepth: Int = 100_000, maxDepthPerFunction: Int = 10_000, maxInFlightPerFunction: Int? = nil,
        lease: Duration = .seconds(300), leaseMargin: Duration = .seconds(30), maxReplays: Int = 3, pollInterval: Duration = .milliseconds(100),
        queueFullRetryAfter: Duration = .seconds(5), maxMarks: Int = 2_000_000
    ) {
        self.dedupWindow = dedupWindow
        self.maxDepth = maxDepth
        self.maxDepthPerFunction = maxDepthPerFunction
        self.maxInFlightPerFunction = maxInFlightPerFunction
        self.lease = lease
        self.leaseMargin = leaseMargin
        self.maxReplays = maxReplays
        self.pollInterval = pollInterval
        self.queueFullRetryAfter = queueFullRetryAfter
        self.maxMarks = maxMarks
    }
}
