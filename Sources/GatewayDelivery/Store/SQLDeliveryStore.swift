import Foundation
import GatewayCore
public import Logging
import ServiceLifecycle
import Synchronization

/// The durable ``DeliveryStore`` on SQLite (the embedded default) or PostgreSQL (several gateway
/// processes sharing one database), chosen by ``DeliveryStoreConfiguration/backend``.
///
/// - Enqueue: concurrent calls are committed together in one transaction (group commit), each call all
///   or none, and return once committed. Invocations seen within the deduplication window are
///   acknowledged and not stored again; a call that would pass a depth bound fails with
///   ``QueueFullError``.
/// - Leases: ``next(upTo:)`` claims the oldest due invocations, one transaction for all, by moving their
///   due time to the end of a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so processes never claim
///   the same row). Settling one needs the lease's token: a lease that expired and was taken over
///   elsewhere cannot be settled twice. An invocation whose process crashed is due again when its lease
///   ends; each claim counts as an attempt.
/// - Shutdown: graceful shutdown releases this process's leases (due at once); cancellation, like a
///   crash, leaves them to expire.
public final class SQLDeliveryStore: DeliveryStore {
    public let configuration: DeliveryStoreConfiguration
    let backend: any SQLBackend
    let logger: Logger
    let committer: GroupCommitter<[Invocation], EnqueueReceipt>
    /// Acknowledgements waiting together: one statement deletes them all.
    let acks = GroupCommitter<Settlement, Void>()
    let wakeup = Wakeup()
    /// A signal for ``keepCountingDepths()``: the counts are stale.
    let recounts: AsyncStream<Void>
    let recountsWanted: AsyncStream<Void>.Continuation

    enum Phase {
        case starting
        case open
        case failed(any Error)
        case closed
    }

    struct State {
        var phase = Phase.starting
        var openWaiters: [CheckedContinuation<Void, any Error>] = []
        /// This process's leases by receipt: the function each is for.
        var leases: [String: String] = [:]
        /// Leases held per function.
        var inFlight: [String: Int] = [:]
        /// The in-flight limit per function, learnt from its invocations.
        var inFlightLimits: [String: Int] = [:]
        /// The depth counts that enqueues check the bounds against (see ``depths(_:)``).
        var depths: DepthCounts?
        var recount = DepthRecount()
        /// When a commit last deleted expired deduplication marks.
        var dedupSweptAt: ContinuousClock.Instant?
        /// Ids offered to commits since then: the next sweep's share.
        var offeredSinceSweep = 0
        /// When the last warning said that marks went before their window ended.
        var marksWarnedAt: ContinuousClock.Instant?
        /// Leases taken so far: with ``tokenPrefix``, each lease's token.
        var leasesTaken: UInt64 = 0
        /// ``next()`` calls looking for work now.
        var seeking = 0
        /// The last claim found nothing due.
        var drained = false
        /// Invocations leased at enqueue for a waiting worker, oldest first.
        var handedOff: [Handoff] = []
        /// Invocations handed over so far.
        var handedOver = 0

        /// Kept depth counts that are due to be counted again, and no count runs.
        var depthsAreStale: Bool {
            guard let depths, !recount.running else { return false }
            return !depths.isFresh
        }

        /// Whether an enqueue now hands its invocations over: a worker looks for work, and its last
        /// claim found nothing due (new invocations never overtake waiting ones).
        var takesHandoffs: Bool {
            guard seeking > 0, drained, case .open = phase else { return false }
            return true
        }
    }

    /// Random per store: tokens of other processes and earlier lives never match this one's. (A UUID
    /// per claim opened, read and closed /dev/urandom each time.)
    let tokenPrefix = String(UInt64.random(in: 0 ... .max), radix: 36) + "-"

    /// A token for a new lease.
    func nextToken() -> String {
        tokenPrefix + String(state.withLock { state in
            state.leasesTaken += 1
            return state.leasesTaken
        }, radix: 36)
    }

    let state = Mutex(State())
    /// The deduplication marks in memory, on SQLite (see ``duplicates(among:now:after:db:)``).
    let seenLog = Mutex(SeenLog())
    /// The functions of the definitions this process knows to be stored, by id (see
    /// ``insertDefinitions(of:db:)``).
    let definitions = Mutex<[String: FunctionSpec]>([:])

    public init(configuration: DeliveryStoreConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        switch configuration.backend {
        case .sqlite(let path): backend = SQLiteBackend(path: path)
        case .postgres(let settings): backend = PostgresBackend(settings: settings, holdsConnections: configuration.servesGateway, logger: logger)
        }
        committer = GroupCommitter(concurrency: backend.groupCommits)
        (recounts, recountsWanted) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public var enqueueTransactions: Int { committer.commits }

    /// Invocations that went from an enqueue straight to a waiting worker, without a claim.
    public var handedOver: Int { state.withLock { $0.handedOver } }

    /// Whether an enqueue now hands its invocations over (see `State.takesHandoffs`).
    var takesHandoffs: Bool { state.withLock { $0.takesHandoffs } }

    // MARK: - Service

    public func run() async throws {
        // Detached: PostgreSQL's pool stops on graceful shutdown, but the leases must be released after it.
        let connections = Task.detached { await self.backend.run() }
        defer { connections.cancel() }
        do {
            try await backend.open()
            try await migrate()
            if backend.dialect.kind == .sqlite, configuration.servesGateway { try await loadSeen() }
            opened(nil)
        } catch {
            opened(error)
            // Not in this task: when a failing start cancelled it, the close could not wait its turn for
            // the statement still running.
            await Task { await self.backend.close() }.value
            throw error
        }
        let counting = Task { await self.keepCountingDepths() }
        let graceful = (try? await gracefulShutdown()) != nil
        state.withLock { $0.phase = .closed }
        wakeup.signal()
        recountsWanted.finish()
        counting.cancel()
        // A count running now ends before the file closes (closing waits for it anyway).
        await counting.value
        // Not cancelled with this task: the leases must go back and the file must close.
        await Task {
            if graceful { await self.releaseLeases() }
            await self.backend.close()
        }.value
    }

    /// Lets waiting calls through, or fails them with the error that stopped the store from opening.
    private func opened(_ error: (any Error)?) {
        let waiters = state.withLock { state in
            state.phase = error.map { .failed($0) } ?? .open
            defer { state.openWaiters = [] }
            return state.openWaiters
        }
        for waiter in waiters {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
    }

    /// Waits until the store is open.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/closed``) once it is closed; the opening error when
    ///   it failed to open.
    func ready() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { state -> Result<Void, any Error>? in
                switch state.phase {
                case .open: return .success(())
                case .closed: return .failure(StoreError(.closed, "the delivery store is shut down"))
                case .failed(let error): return .failure(error)
                case .starting:
                    state.openWaiters.append(continuation)
                    return nil
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    var isClosed: Bool {
        state.withLock {
            if case .closed = $0.phase { return true }
            return false
        }
    }

    // MARK: - Queue

    @discardableResult
    public func enqueue(_ invocations: [Invocation]) async throws -> EnqueueReceipt {
        try await ready()
        guard !invocations.isEmpty else { return EnqueueReceipt(stored: []) }
        let receipt = try await committer.submit(invocations) { batches in try await self.commit(batches) }
        if !receipt.stored.isEmpty { wakeup.signal() }
        return receipt
    }

    public func next() async throws -> QueuedInvocation? {
        try await next(upTo: 1).first
    }

    public func next(upTo limit: Int) async throws -> [QueuedInvocation] {
        let limit = max(1, limit)
        do {
            try await ready()
        } catch let error as StoreError where error.code == .closed {
            return []
        }
        // Counted while looking, claims included: an enqueue meanwhile hands its invocations over (see
        // `reserveHandoffs`). Counting only the wait missed most: claims and commits take turns on SQLite's
        // connection, so a commit usually began while the worker's claim waited for it.
        state.withLock { $0.seeking += 1 }
        defer { state.withLock { $0.seeking -= 1 } }
        while true {
            try Task.checkCancellation()
            if isClosed { return [] }
            let handedOff = try await takeHandoffs(upTo: limit)
            if !handedOff.isEmpty { return handedOff }
            let generation = wakeup.generation
            let claimed = try await claim(limit)
            if !claimed.isEmpty { return claimed }
            await wakeup.wait(upTo: configuration.pollInterval, since: generation)
        }
    }

    public func ack(_ item: QueuedInvocation) async throws {
        guard let lease = try settling(item) else { return }
        try await acks.submit(Settlement(lease: lease, function: item.invocation.function.address)) { try await self.delete($0) }
    }

    /// A lease to settle, and the function its call is for.
    struct Settlement: Sendable {
        var lease: Lease
        var function: String
    }

    /// Deletes the leased invocations in one statement (each call otherwise waits its turn for the
    /// connection behind the enqueues' commits), those still leased with their tokens, and counts them
    /// off the depths in the statement's turn (see ``adjustDepths(_:)``).
    ///
    /// The rows are named by key first (`seq IN`), then matched with their tokens as pairs: PostgreSQL
    /// planned a condition per row as that many index scans, in more time than it ran, and a plan made
    /// once for the pairs alone joined them with the whole table.
    private func delete(_ settlements: [Settlement]) async throws -> [Result<Void, any Error>] {
        let dialect = backend.dialect
        let pair: [SQLColumnType] = [.bigint, .text]
        for chunk in Self.chunks(settlements, of: 250) {
            try await backend.execute(
                "DELETE FROM delivery_invocations WHERE \(dialect.among("seq", chunk.count, .bigint)) "
                    + "AND (seq, lease_token) IN (\(dialect.rows(chunk.count, of: pair))) RETURNING seq",
                dialect.binds(among: chunk.map { .integer($0.lease.seq) }, .bigint)
                    + dialect.binds(rows: chunk.map { [.integer($0.lease.seq), .text($0.lease.token)] }, of: pair)
            ) { rows in
                let gone = try Set(rows.map { try Self.integer($0, 0) })
                adjustDepths(chunk.filter { gone.contains($0.lease.seq) }.reduce(into: [:]) { $0[$1.function, default: 0] -= 1 })
            }
        }
        return settlements.map { _ in .success(()) }
    }

    public func retry(_ item: QueuedInvocation, result: InvocationResult, after delay: Duration) async throws {
        guard let lease = try settling(item) else { return }
        let due = Self.millis(configuration.clock.now()) + Self.millis(delay)
        try await backend.execute(
            "UPDATE delivery_invocations SET due_at = ?, lease_owner = NULL, lease_token = NULL WHERE seq = ? AND lease_token = ?",
            [.integer(due), .integer(lease.seq), .text(lease.token)])
    }

    public func deadLetter(_ item: QueuedInvocation, result: InvocationResult, reason: DeadLetterReason) async throws {
        guard let lease = try settling(item) else { return }
        let now = Self.millis(configuration.clock.now())
        let values: [SQLValue] = [
            .text(result.url ?? item.invocation.function.address), result.status.map { .integer(Int64($0)) } ?? .null,
            .bytes(Array(result.body.prefix(DeadLetter.responseBodyLimit))), result.error.map { .text($0.message) } ?? .null,
            .text(reason.rawValue), .integer(now), .integer(lease.seq), .text(lease.token),
        ]
        do {
            try await backend.transaction(durable: false) { db in
                try await db.execute(Self.insertDeadLetter, values)
                let deleted = try await db.execute(
                    "DELETE FROM delivery_invocations WHERE seq = ? AND lease_token = ? RETURNING seq", [.integer(lease.seq), .text(lease.token)])
                // In the transaction: see ``adjustDepths(_:)``.
                if !deleted.isEmpty { self.adjustDepths([item.invocation.function.address: -1]) }
            }
        } catch {
            // The count went down before a commit that failed.
            forgetDepths()
            throw error
        }
    }

    /// Copies a leased invocation into the dead letters; a dead letter with the same id (an earlier
    /// life of a replayed invocation) is replaced.
    static let insertDeadLetter = """
        INSERT INTO delivery_dead_letters (id, function, invocation, payload, destination, status, response_body, error, attempts, \
        first_attempt_at, last_attempt_at, reason, replays, dead_at) \
        SELECT invocation_id, function, invocation, payload, ?, CAST(? AS BIGINT), ?, ?, attempts, COALESCE(first_attempt_at, enqueued_at), \
        COALESCE(last_attempt_at, enqueued_at), ?, replays, ? FROM delivery_invocations WHERE seq = ? AND lease_token = ? \
        ON CONFLICT (id) DO UPDATE SET function = excluded.function, invocation = excluded.invocation, payload = excluded.payload, \
        destination = excluded.destination, \
        status = excluded.status, response_body = excluded.response_body, error = excluded.error, attempts = excluded.attempts, \
        first_attempt_at = excluded.first_attempt_at, last_attempt_at = excluded.last_attempt_at, reason = excluded.reason, \
        replays = excluded.replays, dead_at = excluded.dead_at
        """

    // MARK: - Leases

    /// A lease's row and token, from a receipt `seq/token`.
    struct Lease: Sendable {
        var seq: Int64
        var token: String

        init(seq: Int64, token: String) {
            self.seq = seq
            self.token = token
        }

        init?(receipt: String) {
            // By UTF-8 bytes: `split` walks characters, and each settlement parses a receipt.
            let utf8 = receipt.utf8
            guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")), let seq = Int64(Substring(utf8[..<slash])) else { return nil }
            self.seq = seq
            self.token = String(Substring(utf8[utf8.index(after: slash)...]))
        }
    }

    /// Forgets this process's lease on `item` (its function has a free slot again); nil when this
    /// process holds no such lease (settled already).
    func settling(_ item: QueuedInvocation) throws -> Lease? {
        guard let lease = Lease(receipt: item.receipt) else {
            throw StoreError(.unreadable, "\(item.receipt.debugDescription) is not a receipt of this store")
        }
        let held = state.withLock { state -> Bool in
            guard let function = state.leases.removeValue(forKey: item.receipt) else { return false }
            state.inFlight[function, default: 1] -= 1
            return true
        }
        if held { wakeup.signal() }
        return held ? lease : nil
    }

    /// The lease a call of `function` gets from `millis` on: the store's lease, or the function's timeout
    /// with the margin for the settling when that is longer, so that the call is not taken over while it
    /// still runs.
    func leaseEnd(for function: FunctionSpec, from millis: Int64) -> Int64 {
        millis + max(Self.millis(configuration.lease), callSpan(for: function))
    }

    /// How long a lease must still run when a call of `function` starts (milliseconds): its timeout and
    /// the margin for settling it.
    func callSpan(for function: FunctionSpec) -> Int64 {
        Self.millis(function.timeout + configuration.leaseMargin)
    }

    /// Makes a lease that ends at `end` last for a call of `function` starting `now`: extended when it
    /// would end sooner. False when it had to be and is gone (taken over elsewhere).
    func coverCall(of function: FunctionSpec, lease: Lease, endingAt end: Int64, now: Int64) async throws -> Bool {
        guard end < now + callSpan(for: function) else { return true }
        return try await extendLease(lease, to: leaseEnd(for: function, from: now))
    }

    /// Moves the end of a lease this process holds; false when the lease is gone (taken over elsewhere).
    func extendLease(_ lease: Lease, to end: Int64) async throws -> Bool {
        let rows = try await backend.execute(
            "UPDATE delivery_invocations SET due_at = ? WHERE seq = ? AND lease_token = ? RETURNING seq",
            [.integer(end), .integer(lease.seq), .text(lease.token)])
        return !rows.isEmpty
    }

    /// How many calls of `function` this process makes at once.
    func inFlightLimit(for function: FunctionSpec) -> Int {
        max(1, configuration.maxInFlightPerFunction ?? function.concurrency)
    }

    /// Makes the live leases of an owner due now (the binds: now, now, the owner).
    static let releaseStatement =
        "UPDATE delivery_invocations SET due_at = ?, lease_owner = NULL, lease_token = NULL WHERE due_at > ? AND lease_owner = ?"

    /// Makes this process's leased invocations due at once, for another process or the next start.
    ///
    /// A live lease is due when it ends, later than now; one that has ended is due already and is left as
    /// it is. So the statement reads only the rows due later (leases and retries waiting out their
    /// backoff) by the due index, not the whole backlog: with 600,000 calls queued, reading every row
    /// to find the leases held SQLite's writer for half a second at shutdown.
    func releaseLeases() async {
        let now = Self.millis(configuration.clock.now())
        do {
            try await backend.execute(Self.releaseStatement, [.integer(now), .integer(now), .text(configuration.owner)])
            state.withLock { state in
                state.leases = [:]
                state.inFlight = [:]
                state.handedOff = []
            }
        } catch {
            logger.error("could not release the delivery store's leases: \(error); they expire after \(configuration.lease)")
        }
    }
}
