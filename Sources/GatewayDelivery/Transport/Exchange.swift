import GatewayCore
import NIOCore

/// One request and its answer, from the caller's suspension to its resumption.
///
/// Confined to the event loop of its ``LoopConnections``: it is created by the caller, then only
/// touched on that loop (hence `@unchecked Sendable`, to cross to it once). It is its own deadline
/// timer: an event loop callback, which costs no allocation, unlike a scheduled task or a sleeping one.
final class Exchange: NIOScheduledCallbackHandler, @unchecked Sendable {
    typealias Outcome = Result<HTTP1Response, ConnectionPoolError>

    /// Where the exchange is.
    enum Phase {
        /// Not started yet.
        case new
        /// Waiting for a connection to free up (the host's connections are all busy).
        case waiting
        /// Waiting for a new connection.
        case connecting
        /// Written to a connection, reading the answer.
        case running(PooledConnection)
        /// Answered or failed; the caller was resumed.
        case finished
    }

    let url: String
    let headers: [HeaderField]
    let body: [UInt8]
    let maxResponseBytes: Int
    let deadline: NIODeadline?
    var phase = Phase.new
    /// The parsed URL, once the exchange started.
    var target: RequestTarget?
    /// Whether the request was already sent again after a reused connection turned out closed.
    var retried = false
    private var continuation: UnsafeContinuation<Outcome, Never>?
    /// Set when cancelled before ``begin(_:)``.
    private var cancelledEarly = false
    private var timer: NIOScheduledCallback?
    /// Set once started, for the deadline's cancellation.
    private var pool: LoopConnections?

    // The answer so far.
    var status = 0
    var responseHeaders: [HeaderField] = []
    var responseBody: [UInt8] = []
    var headReceived = false

    init(url: String, headers: [HeaderField], body: [UInt8], maxResponseBytes: Int, deadline: NIODeadline?) {
        self.url = url
        self.headers = headers
        self.body = body
        self.maxResponseBytes = maxResponseBytes
        self.deadline = deadline
    }

    /// Takes the caller's continuation.
    ///
    /// - Returns: false when the exchange was cancelled already (and the caller resumed).
    func begin(_ continuation: UnsafeContinuation<Outcome, Never>, in pool: LoopConnections) -> Bool {
        guard !cancelledEarly else {
            phase = .finished
            continuation.resume(returning: .failure(Self.cancellation))
            return false
        }
        self.continuation = continuation
        self.pool = pool
        if let deadline { timer = try? pool.loop.scheduleCallback(at: deadline, handler: self) }
        return true
    }

    /// The deadline passed: drops the exchange as a cancelled one, but says it timed out.
    func handleScheduledCallback(eventLoop: some EventLoop) {
        timer = nil
        guard let pool else { return }
        cancel(in: pool, with: ConnectionPoolError(.timedOut, "no complete answer before the deadline"))
    }

    /// The request's bytes: the target's fixed head, the header fields, `Content-Length` and the body.
    func encode(_ target: RequestTarget, allocator: ByteBufferAllocator) -> ByteBuffer {
        var size = target.head.count + body.count + 40
        for field in headers { size += field.name.utf8.count + field.value.utf8.count + 4 }
        var buffer = allocator.buffer(capacity: size)
        buffer.writeBytes(target.head)
        for field in headers {
            buffer.writeString(field.name)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Content-Length: ")
        buffer.writeString(String(body.count))
        buffer.writeStaticString("\r\n\r\n")
        buffer.writeBytes(body)
        return buffer
    }

    /// Records the answer's head.
    ///
    /// - Returns: false when the announced length is over the limit (the exchange then failed).
    func receiveHead(status: Int, headers: [HeaderField], contentLength: Int?) -> Bool {
        self.status = status
        responseHeaders = headers
        headReceived = true
        if let contentLength {
            guard contentLength <= maxResponseBytes else {
                fail(tooLarge())
                return false
            }
            responseBody.reserveCapacity(contentLength)
        }
        return true
    }

    /// Appends body bytes.
    ///
    /// - Returns: false when the body went over the limit (the exchange then failed).
    func receiveBody(_ buffer: ByteBuffer) -> Bool {
        guard responseBody.count + buffer.readableBytes <= maxResponseBytes else {
            fail(tooLarge())
            return false
        }
        responseBody.append(contentsOf: buffer.readableBytesView)
        return true
    }

    /// Resumes the caller with the complete answer.
    func succeed() {
        finish(.success(HTTP1Response(status: status, headers: responseHeaders, body: responseBody)))
    }

    /// Resumes the caller with `error`, adding the status and headers when the head arrived.
    func fail(_ error: ConnectionPoolError) {
        var error = error
        if headReceived, error.status == nil {
            error.status = status
            error.headers = responseHeaders
        }
        finish(.failure(error))
    }

    /// The caller was cancelled: drops the exchange wherever it is (closing its connection).
    func cancel(in pool: LoopConnections, with error: ConnectionPoolError = cancellation) {
        switch phase {
        case .new:
            cancelledEarly = true
        case .waiting:
            pool.stopWaiting(self)
            fail(error)
        case .connecting:
            // The new connection goes to the idle list when it is ready.
            fail(error)
        case .running(let connection):
            connection.abandon()
            fail(error)
        case .finished:
            break
        }
    }

    /// Forgets the answer so far, for a retry on another connection.
    func reset() {
        status = 0
        responseHeaders = []
        responseBody = []
        headReceived = false
    }

    var isConnecting: Bool {
        if case .connecting = phase { return true }
        return false
    }

    var isFinished: Bool {
        if case .finished = phase { return true }
        return false
    }

    private func finish(_ outcome: Outcome) {
        guard !isFinished else { return }
        phase = .finished
        timer?.cancel()
        timer = nil
        pool = nil
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume(returning: outcome)
    }

    private func tooLarge() -> ConnectionPoolError {
        ConnectionPoolError(.responseTooLarge, "the answer is larger than the limit of \(maxResponseBytes) bytes")
    }

    static let cancellation = ConnectionPoolError(.cancelled, "the call was cancelled")
}
