import AsyncHTTPClient
import Foundation
import GatewayCore
import GatewayDelivery
import GatewayStubs
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Shared helpers: a real HTTP client, an invoker on it, envelopes, and receivers that record.
enum Support {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The gateway's client settings, but a refused connection fails at once instead of being retried
    /// for the connect timeout: for tests of unreachable servers.
    static var failFast: HTTPClient.Configuration {
        var configuration = HTTPClientService.defaultConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// Runs `body` with a fresh HTTP client and shuts it down afterwards.
    static func withClient<T>(
        _ configuration: HTTPClient.Configuration = HTTPClientService.defaultConfiguration, _ body: (HTTPClient) async throws -> T
    ) async throws -> T {
        try await HTTPClient.withClient(configuration, body)
    }

    /// Runs `body` with an invoker on a fresh client.
    static func withInvoker<T>(
        _ configuration: InvokerConfiguration = .init(), receivers: [any ResultReceiver] = [], logger: Logger = quiet,
        _ body: (Invoker) async throws -> T
    ) async throws -> T {
        try await withClient { client in
            try await body(Invoker(client: client, configuration: configuration, receivers: receivers, logger: logger))
        }
    }

    /// An order event with JSON data.
    static func order(id: String = "order-1", extensions: ExtensionAttributes = [:]) throws -> Envelope {
        Envelope(
            id: id, source: "/shop/orders", type: "com.example.order.created", subject: "orders/42", time: Timestamp(rfc3339: "2024-05-01T12:00:00Z"),
            datacontenttype: "application/json", data: .json(try RawJSON(validating: #"{"order":42,"total":9.5}"#)), extensions: extensions)
    }

    static func payload(_ text: String, contentType: String? = "application/json") -> Invocation.Payload {
        Invocation.Payload(bytes: Array(text.utf8), contentType: contentType)
    }

    /// The headers the invoker chose: everything but those the HTTP client adds itself.
    static func sentHeaders(_ request: RecordedRequest) -> [HeaderField] {
        request.headers.filter { !["host", "content-length"].contains($0.name.lowercased()) }
    }

    /// Runs `services` in a service group while `body` runs, then shuts the group down gracefully and
    /// waits for it to finish.
    static func running<T>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(services: services, logger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let value = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                tasks.cancelAll()
                throw error
            }
        }
    }

    /// Waits until `condition` holds, checking every 5 ms, for at most `timeout`.
    static func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }
}

/// Counts, for closures that run on other tasks.
final class Counter: Sendable {
    private let count = Mutex(0)

    /// The count now.
    var value: Int { count.withLock { $0 } }

    /// Adds one and returns the new count.
    func next() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }
}

/// Keeps every batch of results it receives.
final class RecordingReceiver: ResultReceiver {
    private let batches = Mutex<[[InvocationResult]]>([])

    var received: [[InvocationResult]] { batches.withLock { $0 } }
    var results: [InvocationResult] { received.flatMap { $0 } }

    func receive(_ results: [InvocationResult]) async {
        batches.withLock { $0.append(results) }
    }
}

/// A metrics backend that keeps counter totals, timer values and the last value of each recorder
/// (gauge) by label and dimensions.
final class TestMetrics: MetricsFactory {
    struct Key: Hashable, CustomStringConvertible {
        var label: String
        var dimensions: [String]

        init(_ label: String, _ dimensions: [(String, String)]) {
            self.label = label
            self.dimensions = dimensions.map { "\($0.0)=\($0.1)" }
        }

        var description: String { "\(label){\(dimensions.joined(separator: ","))}" }
    }

    private let counters = Mutex<[Key: Int64]>([:])
    private let timers = Mutex<[Key: [Int64]]>([:])

    var counterValues: [Key: Int64] { counters.withLock { $0 } }
    var timerValues: [Key: [Int64]] { timers.withLock { $0 } }
    private let recorders = Mutex<[Key: Double]>([:])
    var recorderValues: [Key: Double] { recorders.withLock { $0 } }

    /// One metric: counters add to the totals, timers append to the values.
    final class Handler: CounterHandler, TimerHandler {
        let key: Key
        let metrics: TestMetrics
        init(key: Key, metrics: TestMetrics) {
            self.key = key
            self.metrics = metrics
        }
        func increment(by amount: Int64) { metrics.counters.withLock { $0[key, default: 0] += amount } }
        func reset() { metrics.counters.withLock { $0[key] = 0 } }
        func recordNanoseconds(_ duration: Int64) { metrics.timers.withLock { $0[key, default: []].append(duration) } }
    }

    final class Recorder: RecorderHandler {
        let key: Key
        let metrics: TestMetrics
        init(key: Key, metrics: TestMetrics) {
            self.key = key
            self.metrics = metrics
        }
        func record(_ value: Int64) { record(Double(value)) }
        func record(_ value: Double) { metrics.recorders.withLock { $0[key] = value } }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(key: Key(label, dimensions), metrics: self)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Recorder(key: Key(label, dimensions), metrics: self)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(key: Key(label, dimensions), metrics: self)
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}
