public import AsyncHTTPClient
import GatewayCore
public import Logging
import Synchronization

/// Calls functions: turns each ``Invocation`` into an HTTP request to its target and reports the
/// outcome as an ``InvocationResult`` to the result receivers.
///
/// Per target: `http` POSTs to the URL; `openfaas` POSTs to `{gateway}/function/NAME.NAMESPACE`
/// (`/async-function/...` in async mode), keeping any path prefix of the gateway URL; `cloudevents`
/// POSTs the envelope in binary mode to the sink; `log` sends nothing, logs the request it would send
/// (at info level, message "would deliver") and reports status 202, as an accepting function would.
///
/// Each call is limited by its function: at most `concurrency` calls to one address at once (others
/// wait their turn, first come first served) and `timeout` from the start of the invocation to the
/// answer's last byte, the wait for a slot included; a call that times out is cancelled. Fan-out with
/// ``invokeAll(_:)`` is concurrent.
///
/// The invoker never throws: transport failures, timeouts and bad targets are results too. Every result
/// goes to a ``LogReceiver`` on the invoker's logger, then to the receivers given, in order.
public final class Invoker: Sendable {
    public let configuration: InvokerConfiguration
    let client: HTTPClient
    let pool: ConnectionPool
    let receivers: [any ResultReceiver]
    let logger: Logger
    private let limits = ConcurrencyLimits()

    /// - Parameters:
    ///   - client: The shared HTTP client, for `https` targets (see ``HTTPClientService``).
    ///   - pool: The connections for plain `http` targets (see ``HTTPClientService``); by default a pool
    ///     of the invoker's own, whose idle connections close when the invoker goes away.
    ///   - configuration: Gateway-wide header and limit settings.
    ///   - receivers: Where results go besides the log, in order (metrics, a webhook...).
    ///   - logger: For the result log and the `log` target.
    public init(
        client: HTTPClient, pool: ConnectionPool? = nil, configuration: InvokerConfiguration = .init(), receivers: [any ResultReceiver] = [],
        logger: Logger
    ) {
        self.client = client
        self.pool = pool ?? ConnectionPool()
        self.configuration = configuration
        self.receivers = [LogReceiver(logger: logger)] + receivers
        self.logger = logger
    }

    /// Calls one function and reports the result.
    public func invoke(_ invocation: Invocation) async -> InvocationResult {
        let result = await perform(invocation)
        await report([result])
        return result
    }

    /// Calls every function at once and reports the results together.
    ///
    /// - Returns: One result per invocation, in the order given.
    public func invokeAll(_ invocations: [Invocation]) async -> [InvocationResult] {
        // One call, the usual case, needs no task group: a child task costs about what the hop does.
        let results = invocations.count == 1 ? [await perform(invocations[0])] : await performConcurrently(invocations)
        await report(results)
        return results
    }

    private func performConcurrently(_ invocations: [Invocation]) async -> [InvocationResult] {
        await withTaskGroup(of: (Int, InvocationResult).self, returning: [InvocationResult].self) { group in
            for (index, invocation) in invocations.enumerated() {
                group.addTask { (index, await self.perform(invocation)) }
            }
            var collected: [(Int, InvocationResult)] = []
            collected.reserveCapacity(invocations.count)
            for await entry in group { collected.append(entry) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Sends results that did not come from a call (``InvocationResult/noSubscribers(topics:envelopeIDs:)``)
    /// to the receivers.
    public func report(_ results: [InvocationResult]) async {
        guard !results.isEmpty else { return }
        for receiver in receivers { await receiver.receive(results) }
    }

    /// Calls the function without reporting.
    func perform(_ invocation: Invocation) async -> InvocationResult {
        let start = ContinuousClock.now
        var result = InvocationResult(
            invocationID: invocation.id, function: invocation.function.address, topics: invocation.topics, envelopeIDs: invocation.envelopeIDs)
        await attempt(invocation, into: &result)
        result.duration = ContinuousClock.now - start
        return result
    }

    /// Builds and sends the request, filling in `result`.
    private func attempt(_ invocation: Invocation, into result: inout InvocationResult) async {
        let request: OutgoingRequest
        do {
            request = try invocation.request(configuration: configuration)
        } catch {
            result.error = error
            return
        }
        result.url = request.url
        if case .log = invocation.function.target {
            logWouldBe(request, invocation)
            result.status = 202
            return
        }
        switch await call(request, function: invocation.function) {
        case .answered(let status, let headers, let body):
            result.status = status
            result.headers = headers
            result.body = body
        case .failed(let error, let status, let headers):
            result.status = status
            result.headers = headers ?? []
            result.error = error
        }
    }

    /// What came back from the HTTP call.
    enum Answer: Sendable {
        case answered(status: Int, headers: [HeaderField], body: [UInt8])
        /// No usable answer; status and headers when the head arrived.
        case failed(InvocationError, status: Int?, headers: [HeaderField]?)
    }

    /// Waits for a slot and sends the request, all within the function's timeout.
    private func call(_ request: OutgoingRequest, function: FunctionSpec) async -> Answer {
        let semaphore = limits.semaphore(for: function)
        let timeout = function.timeout
        // The common case, a free slot and a plain http target, needs no timeout task: the pool's
        // deadline is an event loop timer, where a task group and a sleeping task cost about as much as
        // the call itself.
        if request.isPlainHTTP, semaphore.tryAcquire() {
            defer { semaphore.release() }
            return await post(request, timeout: timeout)
        }
        let sending = Flag()
        let answer = await withTimeout(timeout) { () async -> Answer in
            do {
                try await semaphore.acquire()
            } catch {
                return .failed(InvocationError(.cancelled, "the call to \(request.url) was cancelled while waiting for a free slot"), status: nil, headers: nil)
            }
            defer { semaphore.release() }
            sending.raise()
            return await self.send(request, timeout: timeout)
        }
        if let answer { return answer }
        if Task.isCancelled {
            return .failed(InvocationError(.cancelled, "the call to \(request.url) was cancelled"), status: nil, headers: nil)
        }
        guard sending.isRaised else {
            let message = "\(function.address) had \(semaphore.permits) call(s) in flight for all of \(timeout) (concurrency \(semaphore.permits)); the call was not sent"
            return .failed(InvocationError(.timeout, message), status: nil, headers: nil)
        }
        return .failed(Self.timedOut(request.url, timeout), status: nil, headers: nil)
    }

    /// Logs what the `log` target would have sent.
    private func logWouldBe(_ request: OutgoingRequest, _ invocation: Invocation) {
        let preview = request.body.prefix(configuration.logPreviewBytes)
        var text = String(decoding: preview, as: UTF8.self)
        if request.body.count > preview.count { text += "…" }
        logger.info(
            "would deliver",
            metadata: [
                "function": "\(invocation.function.address)", "topic": "\(invocation.topics.first ?? "")",
                "event.id": "\(invocation.envelopeIDs.joined(separator: ","))", "http.method": "POST", "http.url": "log",
                "http.headers": "\(request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "; "))",
                "body.size": "\(request.body.count)", "body.preview": "\(text)",
            ])
    }
}

/// A flag one task raises and another reads.
final class Flag: Sendable {
    private let state = Mutex(false)

    func raise() { state.withLock { $0 = true } }
    var isRaised: Bool { state.withLock { $0 } }
}

/// Runs `operation`, cancelling it when `timeout` passes first.
///
/// - Returns: The operation's value, or nil when the time ran out (or the caller was cancelled).
func withTimeout<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            await sleepOnEventLoop(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
