import Foundation
import GatewayDelivery
import Logging
import ServiceLifecycle
import Synchronization

/// The delivery queue the configuration chose (a durable store, or memory), with what the gateway
/// needs around it: the service that opens the store, and whether it is ready.
struct GatewayQueue: Sendable {
    let queue: any DeliveryQueue
    /// The durable store; nil for the in-memory queue.
    let store: (any DeliveryStore)?
    let settings: StoreSettings

    /// How long readiness waits for the store to answer.
    static let readinessTimeout = Duration.seconds(2)

    /// Builds the queue; the store opens when its service runs.
    ///
    /// - Throws: ``ConfigurationError`` when the store has no server to reach or its data directory
    ///   cannot be created.
    init(settings: StoreSettings, logger: Logger) throws(ConfigurationError) {
        self.settings = settings
        guard let configuration = try settings.storeConfiguration() else {
            queue = InMemoryDeliveryQueue(capacity: settings.maxDepth)
            store = nil
            return
        }
        if settings.kind == .sqlite { try Self.createDirectory(settings.directory) }
        let store = configuration.makeStore(logger: logger)
        self.queue = store
        self.store = store
    }

    /// The data directory, created when missing.
    static func createDirectory(_ path: String) throws(ConfigurationError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError("delivery.store.directory", "cannot create the data directory \(path): \(error.localizedDescription)")
        }
    }

    /// Whether the queue can take calls, and figures for `/readyz`.
    func readiness() async -> (ready: Bool, fields: [String: String]) {
        var fields = ["store": settings.kind.rawValue]
        guard let store else {
            let memory = queue as? InMemoryDeliveryQueue
            let held = memory?.count ?? 0
            fields["queue.held"] = "\(held)"
            return (held < settings.maxDepth, fields)
        }
        do {
            // Not `status()`: that reads every queued row, and a backlog of millions outlasts the timeout.
            let held = try await Self.withTimeout(Self.readinessTimeout) { try await store.held() }
            fields["queue.held"] = "\(held)"
            guard held < settings.maxDepth else {
                fields["store.error"] = "the queue is full"
                return (false, fields)
            }
            return (true, fields)
        } catch {
            fields["store.error"] = "\(error)"
            return (false, fields)
        }
    }

    /// The store's answer, or ``StoreTimeout`` when it takes longer than `timeout` (a store still
    /// opening, a database that does not answer).
    ///
    /// The call is not awaited past the timeout: a store that is opening lets its callers wait without
    /// reacting to cancellation, so it finishes on its own in the background.
    static func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let answer = FirstAnswer(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                answer.resume(with: .failure(StoreTimeout(timeout: timeout)))
            }
            Task {
                do { answer.resume(with: .success(try await body())) } catch { answer.resume(with: .failure(error)) }
                timer.cancel()
            }
        }
    }
}

/// Resumes a continuation with the first result offered and ignores the others.
final class FirstAnswer<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}

/// The store did not answer in time.
struct StoreTimeout: Error, CustomStringConvertible {
    let timeout: Duration
    var description: String { "the delivery store did not answer within \(timeout)" }
}
