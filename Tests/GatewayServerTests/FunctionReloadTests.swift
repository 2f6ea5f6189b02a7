import Foundation
import GatewayCore
import GatewayServer
import GatewayStubs
import HTTPTypes
import HummingbirdTesting
import InMemoryLogging
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Functions files added, changed, broken and removed while the gateway runs: deliveries follow within
/// a reload interval, and a broken file keeps the last good functions.
struct FunctionReloadTests {
    /// A CloudEvent the route below takes.
    static let event = #"{"specversion":"1.0","id":"order-1","source":"/shop","type":"com.example.order.created"}"#

    /// What the gateway answered one event.
    struct Answer {
        var status: Int
        var queued: Int
        var unsubscribed: Int
        /// The functions called synchronously.
        var called: [String]

        init(_ response: TestResponse) throws {
            let object = try jsonObject(response)
            status = Int(response.status.code)
            queued = object["queued"] as? Int ?? -1
            unsubscribed = object["unsubscribed"] as? Int ?? -1
            called = (object["results"] as? [[String: Any]] ?? []).compactMap { $0["function"] as? String }
        }
    }

    /// Posts the event until `condition` holds for the answer (each post is a delivery like any other).
    ///
    /// - Returns: Every answer, the last one the first that met `condition`.
    static func postUntil(
        _ client: GatewayClient, sourceLocation: Testing.SourceLocation = #_sourceLocation, _ condition: @escaping (Answer) -> Bool
    ) async throws -> [Answer] {
        var answers: [Answer] = []
        let met = try await eventually(timeout: .seconds(30)) {
            let answer = try Answer(try await client.post("/", json: event))
            answers.append(answer)
            return condition(answer)
        }
        #expect(met, "the reload did not show within 30 s; last answer: \(String(describing: answers.last))", sourceLocation: sourceLocation)
        return answers
    }

    @Test func deliveriesFollowFunctionsFilesAddedChangedBrokenAndRemoved() async throws {
        let first = try await StubFunction.start(reply: .text("first"))
        let second = try await StubFunction.start(reply: .text("second"))
        defer { Task { await first.stop(); await second.stop() } }
        let folder = try RoutesFolder()
        try folder.write("routes.yaml", routeFile(routes: [.all(topic: "orders")]))
        let gateway = LiveGateway(folder) { $0.reloadInterval = .milliseconds(100) }

        try await gateway.run { client in
            // No function yet: the topic has no subscriber.
            let none = try Answer(try await client.post("/", json: Self.event))
            #expect(none.status == 202 && none.queued == 0 && none.unsubscribed == 1)

            // Added: an async function on the first stub.
            try folder.write("functions.yaml", routeFile(functions: [.http("audit", url: first.url, topics: ["orders"])]))
            var answers = try await Self.postUntil(client) { $0.queued == 1 }
            #expect(answers.last.map { $0.status == 202 && $0.unsubscribed == 0 } == true)
            try await first.waitForRequests(count: 1, timeout: .seconds(30))

            // Changed: the same function, now sync, on the second stub.
            try folder.write("functions.yaml", routeFile(functions: [.http("audit", url: second.url, topics: ["orders"], mode: "sync")]))
            answers += try await Self.postUntil(client) { $0.called == ["audit"] }
            // Every call queued before the change reaches the first stub; none comes after it.
            let queuedToFirst = answers.filter { $0.queued == 1 }.count
            try await first.waitForRequests(count: queuedToFirst, timeout: .seconds(30))
            let called = try Answer(try await client.post("/", json: Self.event))
            #expect(called.status == 200 && called.called == ["audit"] && called.queued == 0)
            #expect(second.requests.count == 2)
            #expect(first.requests.count == queuedToFirst)
            #expect(second.requests.allSatisfy { $0.header("X-Topic") == "orders" && $0.text == Self.event })

            // Broken: the reload fails, is logged with its place, and the last good functions stay.
            try folder.write("functions.yaml", "functions:\n  - name: audit\n    target: {http: \"\(second.url)\"}\n    topics: [orders]\n    mode: Sync\n")
            let logged = await eventually(timeout: .seconds(30)) {
                gateway.logs.entries.contains { $0.level == .error && "\($0.message)".contains("functions.yaml:5:11: mode: expected one of sync, async") }
            }
            #expect(logged, "no reload error logged: \(gateway.logs.entries.map { "\($0.message)" })")
            let kept = try Answer(try await client.post("/", json: Self.event))
            #expect(kept.status == 200 && kept.called == ["audit"])
            #expect(second.requests.count == 3)

            // Removed: the topic has no subscriber again.
            try folder.remove("functions.yaml")
            _ = try await Self.postUntil(client) { $0.status == 202 && $0.queued == 0 && $0.unsubscribed == 1 && $0.called.isEmpty }
            try await client.expectServing()
        }
        #expect(first.requests.allSatisfy { $0.text == Self.event })
    }

    /// SIGHUP to the real binary reloads at once: with polling an hour apart, a functions file written
    /// while it runs takes effect on the signal.
    @Test func sighupReloadsTheRealBinaryAtOnce() async throws {
        let stub = try await StubFunction.start(reply: .text("ok"))
        defer { Task { await stub.stop() } }
        let folder = try RoutesFolder()
        try folder.write("routes.yaml", routeFile(routes: [.all(topic: "orders")]))
        let gateway = try await GatewayProcess.start(routes: folder.path, environment: ["EVENT_GATEWAY_RELOAD_INTERVAL": "1h"])
        // The signal is trapped once the reload service says it watches; before that SIGHUP would end the process.
        #expect(await gateway.waitForLog("watching routes folder"), "log:\n\(gateway.log)")
        let before = try await gateway.post("/", json: Self.event)
        #expect(before.body == #"{"accepted":["order-1"],"queued":0,"unsubscribed":1}"#)

        try folder.write("functions.yaml", routeFile(functions: [.http("audit", url: stub.url, topics: ["orders"], mode: "sync")]))
        gateway.send(SIGHUP)
        #expect(await gateway.waitForLog("route.reload.reason=signal"), "log:\n\(gateway.log)")
        let after = try await gateway.post("/", json: Self.event)
        #expect(after.status == 200)
        #expect(after.body == #"{"accepted":["order-1"],"queued":0,"results":[{"function":"audit","outcome":"delivered","status":200}],"unsubscribed":0}"#)
        #expect(stub.requests.map(\.text) == [Self.event])

        gateway.send(SIGTERM)
        let exit = try await gateway.waitForExit()
        #expect(exit.exited && exit.status == 0, "status \(exit.status); log:\n\(gateway.log)")
    }

    /// A function declared in one file subscribes to a topic a route in another file adds later.
    @Test func aRouteAddedLaterReachesAFunctionAlreadyDeclared() async throws {
        let stub = try await StubFunction.start(reply: .text("ok"))
        defer { Task { await stub.stop() } }
        let folder = try RoutesFolder()
        try folder.write("functions.yaml", routeFile(functions: [.http("billing", url: stub.url, topics: ["invoices"], mode: "sync")]))
        let gateway = LiveGateway(folder) { $0.reloadInterval = .milliseconds(100) }
        try await gateway.run { client in
            let unrouted = try Answer(try await client.post("/", json: Self.event))
            #expect(unrouted.status == 202 && unrouted.unsubscribed == 1)
            try folder.write("shop/routes.yaml", routeFile(routes: [.all(topic: "invoices")]))
            _ = try await Self.postUntil(client) { $0.called == ["billing"] }
        }
        #expect(stub.requests.count >= 1)
        #expect(stub.requests.allSatisfy { $0.header("X-Topic") == "invoices" })
    }
}
