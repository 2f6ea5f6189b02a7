public import AsyncHTTPClient
import Foundation
public import GatewayCore
public import Logging
import NIOCore
import NIOHTTP1
public import ServiceLifecycle
import Synchronization

/// POSTs results as JSON to a URL: each batch a receiver gets becomes one request whose body is a JSON
/// array of ``InvocationResult``s (`Content-Type: application/json`).
///
/// `receive` only buffers; the sending happens in ``run()``, so add the receiver to the service group
/// *before* the services that produce results: the group stops services in reverse order, and the
/// receiver then sends what is left in its buffer before it stops. A full buffer drops new batches
/// (logged at warning level with the count); a failed POST (no answer, non-2xx) is logged at warning
/// level and not retried. Nothing is thrown.
public final class WebhookReceiver: ResultReceiver, Service {
    /// Where and how results are sent.
    public struct Configuration: Sendable, Hashable {
        public var url: String
        /// Extra request headers (an authorization token, say).
        public var headers: [HeaderField]
        public var bufferSize: Int
        public var timeout: Duration

        /// - Parameters:
        ///   - url: The webhook's URL.
        ///   - headers: Extra request headers (default none).
        ///   - bufferSize: Batches held while waiting to be sent (default 1024); more are dropped.
        ///   - timeout: Per POST (default 10 s).
        public init(url: String, headers: [HeaderField] = [], bufferSize: Int = 1024, timeout: Duration = .seconds(10)) {
            self.url = url
            self.headers = headers
            self.bufferSize = bufferSize
            self.timeout = timeout
        }
    }

    public let configuration: Configuration
    let client: HTTPClient
    let logger: Logger
    private let stream: AsyncStream<[InvocationResult]>
    private let continuation: AsyncStream<[InvocationResult]>.Continuation
    private let dropped = Mutex(0)

    public init(configuration: Configuration, client: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(max(1, configuration.bufferSize)))
    }

    /// Batches dropped because the buffer was full or the receiver had stopped.
    public var droppedBatches: Int { dropped.withLock { $0 } }

    public func receive(_ results: [InvocationResult]) async {
        guard !results.isEmpty else { return }
        switch continuation.yield(results) {
        case .enqueued: break
        case .dropped, .terminated:
            let count = dropped.withLock { count in
                count += 1
                return count
            }
            logger.warning(
                "result webhook buffer full or stopped: dropped a batch of \(results.count) result(s)",
                metadata: ["webhook.url": "\(configuration.url)", "webhook.dropped": "\(count)"])
        @unknown default: break
        }
    }

    /// Sends buffered batches until graceful shutdown or cancellation; on graceful shutdown, sends what
    /// is buffered, then returns.
    public func run() async throws {
        await withGracefulShutdownHandler {
            for await batch in stream { await post(batch) }
        } onGracefulShutdown: { [continuation] in
            continuation.finish()
        }
    }

    private func post(_ batch: [InvocationResult]) async {
        let body: Data
        do {
            body = try JSONEncoder().encode(batch)
        } catch {
            logger.warning("could not encode results for the webhook: \(error)", metadata: ["webhook.url": "\(configuration.url)"])
            return
        }
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for field in configuration.headers { request.headers.replaceOrAdd(name: field.name, value: field.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, deadline: .after(configuration.timeout), logger: logger)
            // Read (and discard) the answer so the connection can be reused.
            _ = try await response.body.collect(upTo: 64 << 10)
            guard (200..<300).contains(response.status.code) else {
                logger.warning(
                    "result webhook answered \(response.status.code)",
                    metadata: ["webhook.url": "\(configuration.url)", "webhook.results": "\(batch.count)"])
                return
            }
        } catch {
            logger.warning(
                "could not send results to the webhook: \(Invoker.describe(error))",
                metadata: ["webhook.url": "\(configuration.url)", "webhook.results": "\(batch.count)"])
        }
    }
}
