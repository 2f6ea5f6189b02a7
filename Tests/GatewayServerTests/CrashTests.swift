import AsyncHTTPClient
import Foundation
import GatewayStubs
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// At least once, proven: the real gateway is killed with SIGKILL at random moments while a load
/// generator sends it async events, and restarted on the same store; in the end every event that got a
/// 202 reached the function at least once.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CrashTests {
    /// Events sent, each with an id of its own.
    static let events = 300
    /// Senders at once.
    static let senders = 6
    /// Pause of each sender between events: spreads the load over the kills.
    static let pause = Duration.milliseconds(60)
    /// SIGKILLs, each at a random moment in ``killAfter`` after the (re)start.
    static let kills = 4
    static let killAfter = 300...1200

    @Test(arguments: TestStore.allCases)
    func everyAcknowledgedEventIsDeliveredAcrossKills(_ store: TestStore) async throws {
        try await store.withDatabase { database in
            let sink = try await StubFunction.start(reply: .text("ok"))
            defer { Task { await sink.stop() } }
            let folder = try RoutesFolder()
            // A short timeout and margin: a lease lasts at least the function's timeout and the store's margin,
            // and the calls leased at a kill come back once it ends (with the 30 s default margin, a kill that
            // caught a call between its lease and its delivery added half a minute to the test).
            var function = FunctionDeclaration.http("sink", url: sink.url, topics: ["crash"], mode: "async", body: "binary")
            function.timeout = "1s"
            try folder.write("crash.yaml", routeFile(routes: [.all(topic: "crash")], functions: [function]))
            // A killed process's claims come back after the lease; retries of a refused call come quickly.
            let environment = database.environment.merging([
                "EVENT_GATEWAY_LEASE": "2s", "EVENT_GATEWAY_LEASE_MARGIN": "1s",
                "EVENT_GATEWAY_RETRY_BACKOFF": "100ms", "EVENT_GATEWAY_RETRY_MAX_BACKOFF": "500ms", "EVENT_GATEWAY_RETRY_MAX_ATTEMPTS": "100",
            ]) { $1 }
            let gateway = RunningGateway(try await GatewayProcess.start(routes: folder.path, environment: environment))
            try await Self.withClient { client in
                let started = ContinuousClock.now
                async let acknowledged = Self.send(to: gateway, client: client)
                var kills = 0
                for _ in 0..<Self.kills {
                    try await Task.sleep(for: .milliseconds(Int.random(in: Self.killAfter)))
                    let victim = gateway.process
                    victim.send(SIGKILL)
                    _ = try await victim.waitForExit(timeout: .seconds(10))
                    kills += 1
                    gateway.process = try await GatewayProcess.start(routes: folder.path, environment: environment)
                }
                let acked = await acknowledged
                let delivered = await eventually(timeout: .seconds(60)) { acked.isSubset(of: Self.deliveredIDs(sink)) }
                let received = sink.requests.compactMap { $0.header("ce-id") }
                let unique = Set(received)
                let summary =
                    "crash test (\(store)): sent \(Self.events), acknowledged \(acked.count), delivered \(unique.count), "
                    + "duplicates \(received.count - unique.count), kills \(kills), \(ContinuousClock.now - started)"
                print(summary)
                if !delivered {
                    // What the store holds, for the record.
                    let status = try await GatewayCommand.run(["status"], environment: environment)
                    let missing = acked.subtracting(unique).sorted().prefix(20)
                    let problems = gateway.problems
                    Issue.record("acknowledged but never delivered: \(missing); \(summary)\n\(status.output)\(status.error)\n\(problems)")
                }
                #expect(kills == Self.kills)
                // Most events must get through for the proof to mean something.
                #expect(acked.count >= Self.events / 2, "\(summary)")
            }
            let last = gateway.process
            last.send(SIGTERM)
            let exit = try await last.waitForExit(timeout: .seconds(30))
            #expect(exit.status == 0 && exit.exited, "\(last.log)")
        }
    }

    /// The gateway process running now: the senders read it, the killer replaces it. The killed ones are
    /// kept to the end, with their logs.
    final class RunningGateway: Sendable {
        private let processes: Mutex<[GatewayProcess]>

        init(_ process: GatewayProcess) {
            processes = Mutex([process])
        }

        var process: GatewayProcess {
            get { processes.withLock { $0[$0.count - 1] } }
            set { processes.withLock { $0.append(newValue) } }
        }

        /// The warnings and errors every process logged, process by process.
        var problems: String {
            processes.withLock { processes in
                processes.enumerated().map { index, process in
                    let lines = process.log.split(separator: "\n").filter { $0.contains(" warning ") || $0.contains(" error ") || $0.contains(" critical ") }
                    return "process \(index + 1):\n" + lines.suffix(20).joined(separator: "\n")
                }.joined(separator: "\n")
            }
        }
    }

    /// Hands out the event numbers 0, 1, 2 ... to the senders, each once.
    final class Tickets: Sendable {
        private let next = Mutex(0)

        func take() -> Int {
            next.withLock { next in
                defer { next += 1 }
                return next
            }
        }
    }

    /// Runs `body` with a client of its own, shut down afterwards whatever happens.
    static func withClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        try await HTTPClient.withClient(clientConfiguration, body)
    }

    /// No retries of refused connections (the gateway is down, its next port is another), short timeouts.
    static var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(1), read: .seconds(10))
        return configuration
    }

    /// The ids the sink received.
    static func deliveredIDs(_ sink: StubFunction) -> Set<String> {
        Set(sink.requests.compactMap { $0.header("ce-id") })
    }

    /// Sends every event until the running gateway answers 202, each from one of ``senders`` loops;
    /// a send that fails (the gateway died, or is starting) is tried again on whatever runs then, as a
    /// trigger would: a re-sent event that was stored already is acknowledged, not stored twice.
    ///
    /// - Returns: The ids of the events acknowledged.
    static func send(to gateway: RunningGateway, client: HTTPClient) async -> Set<String> {
        let tickets = Tickets()
        return await withTaskGroup(of: Set<String>.self) { group in
            for _ in 0..<senders {
                group.addTask {
                    var acknowledged: Set<String> = []
                    while true {
                        let number = tickets.take()
                        guard number < events else { return acknowledged }
                        let id = "crash-\(number)"
                        // Up to 40 tries (about 10 s): more than a restart takes.
                        for _ in 0..<40 {
                            let port = gateway.process.port
                            if await post(id, number: number, port: port, client: client) {
                                acknowledged.insert(id)
                                break
                            }
                            try? await Task.sleep(for: .milliseconds(250))
                        }
                        try? await Task.sleep(for: pause)
                    }
                }
            }
            return await group.reduce(into: Set<String>()) { $0.formUnion($1) }
        }
    }

    /// POSTs one CloudEvent; true when the gateway answered 202 with its call queued now or before (a
    /// re-sent event). Another process may have taken a killed gateway's port meanwhile: its answers do
    /// not count.
    static func post(_ id: String, number: Int, port: Int, client: HTTPClient) async -> Bool {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/cloudevents+json")
        request.body = .bytes(ByteBuffer(string: #"{"specversion":"1.0","id":"\#(id)","source":"/crash-test","type":"crash.test","data":{"n":\#(number)}}"#))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
            return response.status == .accepted && (body.contains(#""queued":1,"#) || body.contains(#""duplicates":1,"#))
        } catch {
            return false
        }
    }
}
