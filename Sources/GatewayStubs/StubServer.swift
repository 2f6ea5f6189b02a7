import GatewayCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A Hummingbird server on 127.0.0.1, port 0, that records every request and answers what its handler
/// says. ``StubFunction`` and ``StubOpenFaaSGateway`` are built on it.
final class StubServer: Sendable {
    /// Decides the answer to a recorded request.
    typealias Handler = @Sendable (RecordedRequest) async -> StubReply

    /// The largest body a stub reads; tests send far less.
    static let maxBodyBytes = 64 << 20

    let port: Int
    private let task: Task<Void, any Error>
    private let record: Recorder

    /// What the server has seen, and how many requests it answered at once.
    final class Recorder: Sendable {
        private struct State {
            var requests: [RecordedRequest] = []
            var inFlight = 0
            var maxInFlight = 0
        }

        private let state = Mutex(State())

        var requests: [RecordedRequest] { state.withLock { $0.requests } }
        var maxInFlight: Int { state.withLock { $0.maxInFlight } }

        func begin(_ request: RecordedRequest) {
            state.withLock { state in
                state.requests.append(request)
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
            }
        }

        func end() {
            state.withLock { $0.inFlight -= 1 }
        }

        func clear() {
            state.withLock { $0.requests = [] }
        }
    }

    private init(port: Int, task: Task<Void, any Error>, record: Recorder) {
        self.port = port
        self.task = task
        self.record = record
    }

    /// Starts a server and returns once it listens.
    ///
    /// - Throws: ``StubError`` when the server stopped before it could listen.
    static func start(_ handler: @escaping Handler) async throws -> StubServer {
        let record = Recorder()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: maxBodyBytes)
            let recorded = RecordedRequest(
                method: request.method.rawValue, target: request.head.path ?? "/",
                headers: headers(of: request), body: Array(body.readableBytesView))
            record.begin(recorded)
            defer { record.end() }
            let reply = await handler(recorded)
            if let delay = reply.delay { try await Task.sleep(for: delay) }
            return response(for: reply)
        }
        let application = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "stub", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task {
            // If the server fails to start, no port ever comes: end the stream so start() does not hang.
            defer { portContinuation.finish() }
            try await application.run()
        }
        guard let port = await ports.first(where: { _ in true }), port > 0 else {
            task.cancel()
            let failure = await task.result
            throw StubError("the stub server did not start listening on 127.0.0.1: \(failure)")
        }
        return StubServer(port: port, task: task, record: record)
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [RecordedRequest] { record.requests }
    var maxInFlight: Int { record.maxInFlight }

    func clearRequests() { record.clear() }

    /// Waits until at least `count` requests matching `filter` arrived.
    ///
    /// - Throws: ``StubError`` naming what arrived when the time is up.
    func waitForRequests(count: Int, timeout: Duration, where filter: (RecordedRequest) -> Bool) async throws -> [RecordedRequest] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let matching = requests.filter(filter)
            if matching.count >= count { return matching }
            guard ContinuousClock.now < deadline else {
                let seen = requests.map { "\($0.method) \($0.target)" }.joined(separator: ", ")
                throw StubError("expected \(count) request(s) within \(timeout), got \(matching.count); received: [\(seen)]")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Stops listening and closes open connections; requests in progress are dropped.
    func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// The header fields as sent: HTTP/1 `Host` travels as the request's authority in HTTPTypes, so it
    /// is put back in front.
    private static func headers(of request: Request) -> [HeaderField] {
        let fields = request.headers.map { HeaderField($0.name.rawName, $0.value) }
        guard let authority = request.head.authority else { return fields }
        return [HeaderField("Host", authority)] + fields
    }

    private static func response(for reply: StubReply) -> Response {
        var fields = HTTPFields()
        for header in reply.headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}
