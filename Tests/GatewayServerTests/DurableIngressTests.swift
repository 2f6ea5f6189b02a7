import Foundation
import GatewayCore
import GatewayDelivery
import GatewayServer
import GatewayStubs
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Async ingress on the durable store (SQLite, the default): 202 once stored, a re-sent event
/// acknowledged and delivered once, 429 with `Retry-After` when full, and queued calls that resume
/// after a restart.
@Suite(.timeLimit(.minutes(2)))
struct DurableIngressTests {
    static func event(_ id: String) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"/shop","type":"com.example.order.created","data":{"n":1}}"#
    }

    static func folder(function url: String) throws -> RoutesFolder {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", routeFile(routes: [.all(topic: "orders")], functions: [.http("orders", url: url, topics: ["orders"], mode: "async")]))
        return folder
    }

    @Test func aReSentEventIsAcknowledgedAndDeliveredOnce() async throws {
        let function = try await StubFunction.start(reply: .text("ok"))
        defer { Task { await function.stop() } }
        let folder = try Self.folder(function: function.url)
        try await LiveGateway(folder).run { client in
            let first = try await client.post("/", json: Self.event("e-1"))
            #expect(first.status == .accepted)
            #expect(String(buffer: first.body) == #"{"accepted":["e-1"],"queued":1,"unsubscribed":0}"#)
            try await function.waitForRequests(count: 1, timeout: .seconds(30))
            let again = try await client.post("/", json: Self.event("e-1"))
            #expect(again.status == .accepted)
            #expect(String(buffer: again.body) == #"{"accepted":["e-1"],"duplicates":1,"queued":0,"unsubscribed":0}"#)
            // Another event goes through, and the re-sent one was not among what the function got.
            #expect(try await client.post("/", json: Self.event("e-2")).status == .accepted)
            let requests = try await function.waitForRequests(count: 2, timeout: .seconds(30))
            #expect(requests.count == 2)
            #expect(requests.map { $0.text.contains("\"e-2\"") } == [false, true], "\(requests.map(\.text))")
        }
    }

    @Test func aFullQueueAnswers429WithRetryAfterAndStoresNothing() async throws {
        let release = Moment()
        let function = try await StubFunction.start { _ in
            await release.wait()
            return .text("ok")
        }
        defer { Task { await function.stop() } }
        let folder = try Self.folder(function: function.url)
        let gateway = LiveGateway(folder) {
            $0.store.maxDepthPerFunction = 1
            $0.store.queueFullRetryAfter = .milliseconds(2500)
        }
        try await gateway.run { client in
            #expect(try await client.post("/", json: Self.event("e-1")).status == .accepted)
            try await function.waitForRequests(count: 1, timeout: .seconds(30))
            let full = try await client.post("/", json: Self.event("e-2"))
            #expect(full.status == .tooManyRequests)
            #expect(full.headers[.retryAfter] == "3")
            #expect(
                try errorDetail(full) == [
                    "code": "queue_full",
                    "message": "the delivery queue of function orders is full: it holds 1 of 1 invocations and cannot take 1 more; retry later; nothing of the request was accepted",
                ])
            let ready = try await client.send(.get, "/readyz")
            #expect(ready.status == .ok, "one function's bound does not make the gateway unready: \(String(buffer: ready.body))")
            release.mark()
            // Room again once the call is delivered.
            let accepted = await eventually(timeout: .seconds(30)) { (try? await client.post("/", json: Self.event("e-2")).status) == .accepted }
            #expect(accepted)
        }
    }

    @Test func queuedCallsResumeAfterARestart() async throws {
        let function = try await StubFunction.start(reply: StubReply(status: 503, headers: [HeaderField("Retry-After", "2")], body: Array("later".utf8)))
        defer { Task { await function.stop() } }
        let folder = try Self.folder(function: function.url)
        try await LiveGateway(folder).run { client in
            #expect(try await client.post("/", json: Self.event("e-1")).status == .accepted)
            try await function.waitForRequests(count: 1, timeout: .seconds(30))
        }
        // Stopped while the call waits for its retry; the next gateway on the same store makes it.
        function.reply(with: .text("ok"))
        try await LiveGateway(folder).run { client in
            let requests = try await function.waitForRequests(count: 2, timeout: .seconds(30))
            #expect(requests.allSatisfy { $0.text.contains("\"e-1\"") })
            let status = await eventually(timeout: .seconds(10)) {
                let ready = try? await client.send(.get, "/readyz")
                return ready.map { String(buffer: $0.body).contains(#""queue.held":"0""#) } ?? false
            }
            #expect(status)
        }
        #expect(function.requests.count == 2)
    }

    @Test func theMemoryStoreDeliversAndSaysSoWhenAskedIfReady() async throws {
        let function = try await StubFunction.start(reply: .text("ok"))
        defer { Task { await function.stop() } }
        let folder = try Self.folder(function: function.url)
        try await LiveGateway(folder) { $0.store.kind = .memory }.run { client in
            #expect(try await client.post("/", json: Self.event("e-1")).status == .accepted)
            try await function.waitForRequests(count: 1, timeout: .seconds(30))
            let ready = try await client.send(.get, "/readyz")
            #expect(ready.status == .ok)
            #expect(try jsonObject(ready)["store"] as? String == "memory")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.dataPath), "the memory store wrote a data directory")
    }
}
