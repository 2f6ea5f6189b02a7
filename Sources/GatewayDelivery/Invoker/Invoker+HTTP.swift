import AsyncHTTPClient
import GatewayCore
import NIOCore
import NIOHTTP1

extension Invoker {
    /// POSTs the request and reads the answer, its body up to the configured limit: plain `http` on the
    /// invoker's connection pool, `https` with AsyncHTTPClient.
    func send(_ request: OutgoingRequest, timeout: Duration) async -> Answer {
        if request.isPlainHTTP { return await post(request) }
        var http = HTTPClientRequest(url: request.url)
        http.method = .POST
        for field in request.headers { http.headers.add(name: field.name, value: field.value) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response: HTTPClientResponse
        do {
            // The deadline only backs up the invoker's own timeout (which also covers the wait for a slot
            // and reading the body), so it comes a little later.
            response = try await client.execute(http, deadline: .after(timeout + .seconds(1)), logger: logger)
        } catch {
            return .failed(Self.classify(error, url: request.url, timeout: timeout), status: nil, headers: nil)
        }
        let status = Int(response.status.code)
        let headers = response.headers.map { HeaderField($0.name, $0.value) }
        do {
            let body = try await response.body.collect(upTo: configuration.maxResponseBytes)
            return .answered(status: status, headers: headers, body: Array(body.readableBytesView))
        } catch is NIOTooManyBytesError {
            return .failed(
                InvocationError(.responseTooLarge, "the answer from \(request.url) is larger than the limit of \(configuration.maxResponseBytes) bytes"),
                status: status, headers: headers)
        } catch {
            var failure = Self.classify(error, url: request.url, timeout: timeout)
            if failure.code == .unreachable {
                failure = InvocationError(.interrupted, "the answer from \(request.url) broke off: \(Self.describe(error))")
            }
            return .failed(failure, status: status, headers: headers)
        }
    }

    /// POSTs on the connection pool, giving up after `timeout` when given (else the invoker's own
    /// timeout cancels the call); either closes the connection.
    func post(_ request: OutgoingRequest, timeout: Duration? = nil) async -> Answer {
        let deadline = timeout.map { NIODeadline.now() + TimeAmount($0) }
        do {
            let response = try await pool.post(
                url: request.url, headers: request.headers, body: request.body, maxResponseBytes: configuration.maxResponseBytes, deadline: deadline)
            return .answered(status: response.status, headers: response.headers, body: response.body)
        } catch {
            if error.code == .timedOut, let timeout { return .failed(Self.timedOut(request.url, timeout), status: nil, headers: nil) }
            return .failed(classify(error, url: request.url), status: error.status, headers: error.headers)
        }
    }

    /// The pool's failure as the AsyncHTTPClient path reports it.
    private func classify(_ error: ConnectionPoolError, url: String) -> InvocationError {
        switch error.code {
        case .cancelled, .timedOut:
            InvocationError(.cancelled, "the call to \(url) was cancelled")
        case .responseTooLarge:
            InvocationError(.responseTooLarge, "the answer from \(url) is larger than the limit of \(configuration.maxResponseBytes) bytes")
        case .interrupted:
            InvocationError(.interrupted, "the answer from \(url) broke off: \(error.message)")
        case .invalidURL, .connectFailed, .closed, .shutDown:
            InvocationError(.unreachable, "unable to reach endpoint \(url): \(error.message)")
        }
    }

    static func classify(_ error: any Error, url: String, timeout: Duration) -> InvocationError {
        if error is CancellationError || (error as? HTTPClientError) == .cancelled {
            return InvocationError(.cancelled, "the call to \(url) was cancelled")
        }
        if let clientError = error as? HTTPClientError, [.deadlineExceeded, .readTimeout, .writeTimeout].contains(clientError) {
            return timedOut(url, timeout)
        }
        return InvocationError(.unreachable, "unable to reach endpoint \(url): \(describe(error))")
    }

    static func timedOut(_ url: String, _ timeout: Duration) -> InvocationError {
        InvocationError(.timeout, "no answer from \(url) within \(timeout); the request was cancelled")
    }

    static func describe(_ error: any Error) -> String {
        if let clientError = error as? HTTPClientError { return clientError.shortDescription }
        return String(describing: error)
    }
}
