import Foundation
import GatewayCore
public import Logging
public import ServiceLifecycle

/// Takes invocations from a ``DeliveryQueue`` and calls them with an ``Invoker``, up to
/// ``Configuration/maxInFlight`` at once.
///
/// Each invocation is acknowledged when delivered; otherwise the retry policy (the configured defaults
/// with the function's own ``FunctionSpec/retry`` settings) says whether it is retried after a delay or
/// becomes a dead letter. On graceful shutdown the worker stops taking
/// invocations and returns once those in flight are settled; what is still queued stays in the queue
/// (and, for the in-memory queue, is lost when the process exits). Cancellation cancels the calls in
/// flight. A queue that throws is logged and asked again a second later.
public struct DeliveryWorker: Service {
    public struct Configuration: Sendable {
        public var maxInFlight: Int
        public var retry: RetryPolicy
        /// Picks where in the backoff's range each delay falls.
        public var jitter: Jitter

        /// - Parameters:
        ///   - maxInFlight: Invocations called at once (default 16; at least 1).
        ///   - retry: The default retry policy; functions may set their own (default ``RetryPolicy/init(maxAttempts:maxAge:backoff:maxBackoff:maxRetryAfter:)``'s defaults).
        ///   - jitter: Full jitter by default.
        public init(maxInFlight: Int = 16, retry: RetryPolicy = .init(), jitter: Jitter = .full) {
            self.maxInFlight = maxInFlight
            self.retry = retry
            self.jitter = jitter
        }
    }

    /// At most this many invocations are asked for at once.
    static let maxBatch = 32

    /// How long the worker waits after the queue failed to hand out an invocation.
    static let queueRetryDelay = Duration.seconds(1)

    public let queue: any DeliveryQueue
    public let invoker: Invoker
    public let configuration: Configuration
    let logger: Logger

    public init(queue: any DeliveryQueue, invoker: Invoker, configuration: Configuration = .init(), logger: Logger) {
        self.queue = queue
        self.invoker = invoker
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let slots = AsyncSemaphore(permits: max(1, configuration.maxInFlight))
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    try await slots.acquire()
                } catch {
                    break
                }
                // A slot may come free after shutdown began: take nothing more then.
                guard !Task.isShuttingDownGracefully else {
                    slots.release()
                    break
                }
                // Every free slot asks at once: a store claims them in one transaction.
                let free = 1 + slots.tryAcquire(upTo: Self.maxBatch - 1)
                // Only the wait for the next invocations ends on graceful shutdown: calls in flight finish.
                let items: [QueuedInvocation]
                do {
                    items = try await cancelWhenGracefulShutdown { [free] in try await queue.next(upTo: free) }
                } catch {
                    slots.release(free)
                    if error is CancellationError { break }
                    // A store that fails (a database restarting) must not stop delivery for good.
                    logger.error("delivery queue failed: \(error); trying again in \(Self.queueRetryDelay)")
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.queueRetryDelay) }
                    continue
                }
                slots.release(free - items.count)
                guard !items.isEmpty else { break }
                for item in items {
                    group.addTask {
                        defer { slots.release() }
                        await settle(item)
                    }
                }
            }
        }
    }

    /// Calls the invocation and tells the queue how it went.
    private func settle(_ item: QueuedInvocation) async {
        let result = await invoker.invoke(item.invocation)
        do {
            guard result.outcome != .delivered else { return try await queue.ack(item) }
            let policy = configuration.retry.applying(item.invocation.function.retry)
            switch policy.decision(after: result, attempt: item.attempt, enqueuedAt: item.enqueuedAt, now: Date(), jitter: configuration.jitter.next()) {
            case .retry(let delay):
                try await queue.retry(item, result: result, after: delay)
            case .deadLetter(let reason):
                try await queue.deadLetter(item, result: result, reason: reason)
                logger.warning(
                    "invocation failed for good after \(item.attempt) attempt(s): \(reason.rawValue)",
                    metadata: ["invocation.id": "\(item.invocation.id)", "function": "\(item.invocation.function.address)", "outcome": "\(result.outcome.rawValue)"])
            }
        } catch {
            logger.error("could not settle invocation \(item.invocation.id) with the delivery queue: \(error)")
        }
    }
}
