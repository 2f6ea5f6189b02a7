import Foundation
import GatewayCore
import GatewayStubs
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGTERM to the real binary: it stops accepting connections, finishes the calls in flight, and exits 0.
@Suite(.timeLimit(.minutes(5)))
struct ShutdownTests {
    /// A CloudEvent every route below takes.
    static let event = #"{"specversion":"1.0","id":"order-1","source":"/shop","type":"com.example.order.created","data":{"n":1}}"#

    /// The real gateway sending every event to the function `slow`, on a stub that answers once the test
    /// releases it: the call is in flight for as long as the test probes, however slow the machine.
    struct SlowFunction {
        let stub: StubFunction
        /// When the test let the stub answer.
        let release: Moment
        /// When the stub answered.
        let answered: Moment
        /// Kept for as long as the gateway reads it.
        let folder: RoutesFolder
        let gateway: GatewayProcess

        /// - Parameter mode: The function's mode, `sync` or `async`.
        static func start(mode: String) async throws -> SlowFunction {
            let release = Moment()
            let answered = Moment()
            let stub = try await StubFunction.start { _ in
                // Released by the test; a minute at most, so that a failing test does not hang.
                await release.wait(upTo: .seconds(60))
                answered.mark()
                return .text("done")
            }
            let folder = try RoutesFolder()
            try folder.write("orders.yaml", routeFile(routes: [.all(topic: "orders")], functions: [.http("slow", url: stub.url, topics: ["orders"], mode: mode)]))
            let gateway = try await GatewayProcess.start(routes: folder.path)
            return SlowFunction(stub: stub, release: release, answered: answered, folder: folder, gateway: gateway)
        }
    }

    @Test func sigtermRefusesNewConnectionsFinishesTheQueuedCallAndExitsZero() async throws {
        let slow = try await SlowFunction.start(mode: "async")
        defer { Task { await slow.stub.stop() } }
        let gateway = slow.gateway

        let accepted = try await gateway.post("/", json: Self.event)
        #expect(accepted.status == 202)
        #expect(accepted.body == #"{"accepted":["order-1"],"queued":1,"unsubscribed":0}"#)
        try await slow.stub.waitForRequests(count: 1, timeout: .seconds(30))

        gateway.send(SIGTERM)
        // The listener closes at once; the call in flight goes on.
        let refused = await eventually(timeout: .seconds(10)) { connectErrno(port: gateway.port) == ECONNREFUSED }
        #expect(refused, "new connections were still accepted 10 s after SIGTERM")
        // The call is still in flight (its stub waits for this): let it end now.
        slow.release.mark()

        let exit = try await gateway.waitForExit()
        let exitedAt = ContinuousClock.now
        #expect(exit.exited && exit.status == 0, "status \(exit.status); log:\n\(gateway.log)")
        let answeredAt = try #require(slow.answered.instant, "the stub never answered")
        #expect(answeredAt < exitedAt)
        // The worker waited for the answer: the call's result is logged as delivered, not cancelled.
        let results = gateway.log.split(separator: "\n").filter { $0.contains("function=slow") && $0.contains("outcome=") }
        #expect(results.count == 1 && results[0].contains("outcome=delivered") && results[0].contains("status=200"), "results: \(results)")
        #expect(slow.stub.requests.count == 1)
    }

    @Test func sigtermLetsASyncRequestInFlightGetItsAnswer() async throws {
        let slow = try await SlowFunction.start(mode: "sync")
        defer { Task { await slow.stub.stop() } }
        let gateway = slow.gateway

        let request = Task { try await gateway.post("/", json: Self.event) }
        try await slow.stub.waitForRequests(count: 1, timeout: .seconds(30))
        gateway.send(SIGTERM)
        // The shutdown has begun (the listener closed) while the call is in flight: let it end now.
        #expect(await eventually(timeout: .seconds(10)) { connectErrno(port: gateway.port) == ECONNREFUSED })
        slow.release.mark()

        let answer = try await request.value
        #expect(answer.status == 200)
        #expect(
            answer.body == #"{"accepted":["order-1"],"queued":0,"results":[{"function":"slow","outcome":"delivered","status":200}],"unsubscribed":0}"#)
        let exit = try await gateway.waitForExit()
        #expect(exit.exited && exit.status == 0, "status \(exit.status); log:\n\(gateway.log)")
        #expect(slow.answered.instant != nil)
        #expect(connectErrno(port: gateway.port) == ECONNREFUSED)
    }

    @Test func sigintStopsAnIdleGatewayWithStatusZero() async throws {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", routeFile(routes: [.all(topic: "orders")]))
        let gateway = try await GatewayProcess.start(routes: folder.path)
        #expect(try await gateway.post("/", json: Self.event).status == 202)
        gateway.send(SIGINT)
        let exit = try await gateway.waitForExit()
        // The routes folder stays until the gateway has gone.
        withExtendedLifetime(folder) {}
        #expect(exit.exited && exit.status == 0, "status \(exit.status); log:\n\(gateway.log)")
    }
}
