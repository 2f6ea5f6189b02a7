public import AsyncHTTPClient
public import Foundation
public import GatewayCore
public import Logging
public import ServiceLifecycle
import Synchronization

/// Finds the functions of an OpenFaaS gateway that subscribe to topics, as the connector-sdk does.
///
/// A build lists the namespaces (`GET /system/namespaces`; a 404 or an empty body means none), then the
/// functions of each (`GET /system/functions?namespace=NS`, or one call without the query when there
/// are no namespaces, or only the configured namespace without listing them). A function's namespace is
/// the one it was listed in, as the connector-sdk has it (the `namespace` member of its entry only
/// when the list came without a query). Functions whose `topic`
/// annotation names at least one topic become ``FunctionSpec``s with an `openfaas` target and the
/// configured defaults. Lookups carry basic auth when credentials are set; calls to the functions
/// never do.
///
/// ``run()`` builds at once, then every interval, until graceful shutdown. A build that fails keeps the
/// last good list, logs the error and records it in ``status``; nothing stops the service. Readers take
/// ``functions`` whenever they like; ``updates`` yields each new list (the latest only, for one reader).
public final class OpenFaaSDiscovery: Service, Sendable {
    public let configuration: OpenFaaSDiscoveryConfiguration
    let client: HTTPClient
    let logger: Logger

    /// Each list that differs from the one before, starting with the first good build. Buffers only the
    /// latest; finishes when ``run()`` returns.
    public let updates: AsyncStream<[FunctionSpec]>
    private let continuation: AsyncStream<[FunctionSpec]>.Continuation

    private struct State {
        var functions: [FunctionSpec] = []
        var status = OpenFaaSDiscoveryStatus()
        /// Numbers builds as they start, so that a slow build cannot overwrite a newer one's list.
        var started = 0
        var applied = 0
    }

    private let state = Mutex(State())

    /// - Parameters:
    ///   - configuration: The gateway and the discovered functions' settings.
    ///   - client: The shared HTTP client.
    ///   - logger: Builds that change the list are logged at info level, failures at error level.
    public init(configuration: OpenFaaSDiscoveryConfiguration, client: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        (updates, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The functions of the last good build; empty before the first.
    public var functions: [FunctionSpec] {
        state.withLock { $0.functions }
    }

    public var status: OpenFaaSDiscoveryStatus {
        state.withLock { $0.status }
    }

    /// Builds now, then every interval, until graceful shutdown or cancellation.
    public func run() async throws {
        let interval = max(configuration.interval, .milliseconds(10))
        await cancelWhenGracefulShutdown {
            await self.rebuild()
            while true {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                await self.rebuild()
            }
        }
        continuation.finish()
    }

    /// Builds the list now. On success it replaces the current list (and ``updates`` yields it when it
    /// changed); on failure the current list stays and the error is recorded.
    @discardableResult
    public func rebuild() async -> Result<[FunctionSpec], DiscoveryError> {
        let attempt = state.withLock { state in
            state.started += 1
            return state.started
        }
        let startedAt = Date()
        let result: Result<[FunctionSpec], DiscoveryError>
        do {
            result = .success(try await build())
        } catch {
            result = .failure(error)
        }
        apply(result, attempt: attempt, at: startedAt)
        return result
    }

    private func apply(_ result: Result<[FunctionSpec], DiscoveryError>, attempt: Int, at time: Date) {
        let (status, changed) = state.withLock { state -> (OpenFaaSDiscoveryStatus, Bool) in
            guard attempt > state.applied else { return (state.status, false) }
            state.applied = attempt
            state.status.lastAttemptAt = time
            switch result {
            case .success(let functions):
                let changed = state.status.version == 0 || functions != state.functions
                state.functions = functions
                state.status.lastBuiltAt = time
                state.status.lastError = nil
                state.status.functionCount = functions.count
                if changed { state.status.version += 1 }
                return (state.status, changed)
            case .failure(let error):
                state.status.lastError = error
                return (state.status, false)
            }
        }
        report(result, status: status, changed: changed)
    }

    private func report(_ result: Result<[FunctionSpec], DiscoveryError>, status: OpenFaaSDiscoveryStatus, changed: Bool) {
        let metadata: Logger.Metadata = [
            "openfaas.gateway": "\(configuration.gatewayURL)", "openfaas.version": "\(status.version)", "openfaas.functions": "\(status.functionCount)",
        ]
        switch result {
        case .success(let functions) where changed:
            continuation.yield(functions)
            logger.info("openfaas functions discovered", metadata: metadata)
        case .success:
            logger.debug("openfaas functions unchanged", metadata: metadata)
        case .failure(let error):
            let kept = status.version == 0 ? "no functions are mapped yet" : "version \(status.version) stays in use"
            var failure = metadata
            failure["openfaas.error.code"] = "\(error.code.rawValue)"
            logger.error("openfaas discovery failed: \(error); \(kept)", metadata: failure)
        }
    }
}

/// What discovery holds and how its last build went.
public struct OpenFaaSDiscoveryStatus: Sendable, Hashable {
    /// Goes up by one each time a build yields a different list (the first good build included); 0
    /// until then.
    public var version: Int
    /// Functions in the list in use.
    public var functionCount: Int
    /// When the list in use was built; nil before the first good build.
    public var lastBuiltAt: Date?
    /// When the last build started, good or not.
    public var lastAttemptAt: Date?
    /// Why the last build failed; nil when it succeeded.
    public var lastError: DiscoveryError?

    public init(version: Int = 0, functionCount: Int = 0, lastBuiltAt: Date? = nil, lastAttemptAt: Date? = nil, lastError: DiscoveryError? = nil) {
        self.version = version
        self.functionCount = functionCount
        self.lastBuiltAt = lastBuiltAt
        self.lastAttemptAt = lastAttemptAt
        self.lastError = lastError
    }
}
