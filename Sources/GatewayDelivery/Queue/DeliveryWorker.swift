import GatewayCore
public import Logging
public import ServiceLifecycle

/// Takes invocations from a ``DeliveryQueue`` and calls them with an ``Invoker``, up to
/// ``Configuration/maxInFlight`` at once.
///
/// Each invocation is acknowledged when delivered; otherwise it is failed with the delay the retry
/// policy gives (none when the failure is final). On graceful shutdown the worker stops taking
/// invocations and returns once those in flight are settled; what is still queued stays in the queue
/// (and, for the in-memory queue, is lost when the process exits). Cancellation cancels the calls in
/// flight. A queue that throws is logged and asked again a second later.
public struct DeliveryWorker: Service {
    public struct Configuration: Sendable, Hashable {
        public var maxInFlight: Int
        public var retry: RetryPolicy

        /// - Parameters:
        ///   - maxInFlight: Invocations called at once (default 16; at least 1).
        ///   - retry: When failures are tried again (default ``RetryPolicy/init(maxAttempts:initialDelay:maxDelay:)``'s defaults).
        public init(maxInFlight: Int = 16, retry: RetryPolicy = .init()) {
            self.maxInFlight = maxInFlight
            self.retry = retry
        }
    }

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
                // Only the wait for the next invocation ends on graceful shutdown: calls in flight finish.
                let item: QueuedInvocation?
                do {
                    item = try await cancelWhenGracefulShutdown { try await queue.next() }
                } catch is CancellationError {
                    slots.release()
                    break
                } catch {
                    // A store that fails (a database restarting) must not stop delivery for good.
                    slots.release()
                    logger.error("delivery queue failed: \(error); trying again in \(Self.queueRetryDelay)")
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.queueRetryDelay) }
                    continue
                }
                guard let item else {
                    slots.release()
                    break
                }
                group.addTask {
                    defer { slots.release() }
                    await settle(item)
                }
            }
        }
    }

    /// Calls the invocation and tells the queue how it went.
    private func settle(_ item: QueuedInvocation) async {
        let result = await invoker.invoke(item.invocation)
        do {
            if result.outcome == .delivered {
                try await queue.ack(item)
            } else {
                let delay = configuration.retry.delay(after: result, attempt: item.attempt)
                try await queue.fail(item, result: result, retryAfter: delay)
                if delay == nil {
                    logger.warning(
                        "invocation failed for good after \(item.attempt) attempt(s)",
                        metadata: ["invocation.id": "\(item.invocation.id)", "function": "\(item.invocation.function.address)", "outcome": "\(result.outcome.rawValue)"])
                }
            }
        } catch {
            logger.error("could not settle invocation \(item.invocation.id) with the delivery queue: \(error)")
        }
    }
}
