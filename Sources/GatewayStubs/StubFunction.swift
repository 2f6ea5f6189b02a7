/// A function for tests: a real HTTP server on 127.0.0.1, port 0, that records every request and
/// answers with a scripted reply.
///
/// ```swift
/// let stub = try await StubFunction.start(reply: .text("ok"))
/// defer { Task { await stub.stop() } }
/// // ... point a function at stub.url ...
/// let requests = try await stub.waitForRequests(count: 1)
/// ```
///
/// Or scoped, stopped however the body ends:
///
/// ```swift
/// try await StubFunction.withStub(reply: .json("{}")) { stub in ... }
/// ```
public final class StubFunction: Sendable {
    private let server: StubServer
    private let script: Locked<Script>

    /// How the stub answers.
    private enum Script {
        case fixed(StubReply)
        case dynamic(@Sendable (RecordedRequest) async -> StubReply)
    }

    private init(server: StubServer, script: Locked<Script>) {
        self.server = server
        self.script = script
    }

    /// Starts a stub that answers every request with `reply`.
    public static func start(reply: StubReply = StubReply()) async throws -> StubFunction {
        try await start(script: .fixed(reply))
    }

    /// Starts a stub that asks `respond` for each answer (it may sleep to make a slow function).
    public static func start(_ respond: @escaping @Sendable (RecordedRequest) async -> StubReply) async throws -> StubFunction {
        try await start(script: .dynamic(respond))
    }

    private static func start(script: Script) async throws -> StubFunction {
        let box = Locked(script)
        // The handler reads the script on each request, so `reply(with:)` takes effect at once.
        let server = try await StubServer.start { request in
            switch box.value {
            case .fixed(let reply): reply
            case .dynamic(let respond): await respond(request)
            }
        }
        return StubFunction(server: server, script: box)
    }

    /// Runs `body` with a started stub and stops it afterwards, also when `body` throws.
    public static func withStub<T>(reply: StubReply = StubReply(), _ body: (StubFunction) async throws -> T) async throws -> T {
        let stub = try await start(reply: reply)
        return try await withCleanup { try await body(stub) } cleanup: { await stub.stop() }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public var url: String { server.url }
    public var port: Int { server.port }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] { server.requests }

    /// The most requests that were being answered at the same moment.
    public var maxConcurrentRequests: Int { server.maxInFlight }

    /// Answers every later request with `reply`.
    public func reply(with reply: StubReply) {
        script.value = .fixed(reply)
    }

    /// Forgets the requests received so far.
    public func clearRequests() { server.clearRequests() }

    /// Waits until at least `count` requests arrived, and returns them all.
    ///
    /// - Throws: ``StubError`` listing what did arrive when `timeout` passes first.
    @discardableResult
    public func waitForRequests(count: Int, timeout: Duration = .seconds(10)) async throws -> [RecordedRequest] {
        try await server.waitForRequests(count: count, timeout: timeout) { _ in true }
    }

    /// Stops the server; later calls to it fail to connect.
    public func stop() async { await server.stop() }
}
