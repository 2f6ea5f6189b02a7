import Foundation
import GatewayCore
import GatewayServer
import GatewayStubs
import Testing

/// Event posts answered on the connection (EventPostHandler), mixed with requests the router answers,
/// over a raw TCP connection: answers in request order, bodies split or over the limit, and closing.
@Suite(.timeLimit(.minutes(2)))
struct EventPostHandlerTests {
    static func event(_ id: String) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"/shop","type":"com.example.order.created","data":{"n":1}}"#
    }

    static func post(_ path: String, _ body: String, headers: String = "") -> String {
        "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\(headers)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static func get(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n" }

    static func accepted(_ id: String) -> String { #"{"accepted":["\#(id)"],"queued":0,"unsubscribed":1}"# }

    /// A gateway with one route taking every event and no function subscribed.
    static func run(maxBody: Int = 6 * 1024 * 1024, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let folder = try RoutesFolder()
        try folder.write("orders.yaml", routeFile(routes: [.all(topic: "orders")]))
        try await LiveGateway(folder) { $0.maxBodyBytes = maxBody }.run { client in try await body(client.port) }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            try await connection.write(
                Self.post("/", Self.event("a")) + Self.get("/healthz") + Self.post("/events/cloudevents.structured", Self.event("b"))
                    + Self.get("/readyz") + Self.post("/?from=test", Self.event("c")))
            var answers: [RawConnection.Answer] = []
            for _ in 0..<5 { answers.append(try await connection.readAnswer()) }
            #expect(answers.map(\.status) == [202, 200, 202, 200, 202])
            #expect(answers[0].body == Self.accepted("a"))
            #expect(answers[1].body == #"{"status":"ok"}"#)
            #expect(answers[2].body == Self.accepted("b"))
            #expect(answers[3].body.contains(#""status":"ready""#))
            #expect(answers[4].body == Self.accepted("c"))
        }
    }

    /// The same binary-mode CloudEvent, once answered on the connection and once (behind a request the
    /// router answers) by the router: the function receives the same request both times.
    @Test func bothPathsDeliverTheSameRequest() async throws {
        try await StubFunction.withStub { stub in
            let folder = try RoutesFolder()
            try folder.write("orders.yaml", routeFile(routes: [.all(topic: "orders")], functions: [.http("f", url: stub.url, topics: ["orders"], mode: "sync", body: "cloudevent")]))
            try await LiveGateway(folder).run { client in
                let connection = try RawConnection(port: client.port)
                let post =
                    "POST /events/cloudevents.binary?x=1 HTTP/1.1\r\nHost: gateway.example:8080\r\nCe-Specversion: 1.0\r\nCe-Id: same\r\n"
                    + "ce-source: /shop\r\nCE-Type: order.created\r\nce-shopregion: eu\r\nContent-Type: text/plain\r\nX-Trace: t1\r\nContent-Length: 5\r\n\r\nhello"
                try await connection.write(post)
                let direct = try await connection.readAnswer()
                try await connection.write(Self.get("/healthz") + post)
                _ = try await connection.readAnswer()
                let routed = try await connection.readAnswer()
                #expect(direct.status == 200 && routed.status == 200, "\(direct.body) \(routed.body)")
                #expect(direct.body == routed.body)
            }
            let requests = stub.requests
            try #require(requests.count == 2)
            #expect(requests[0].text == requests[1].text)
            #expect(requests[0].headers.filter { $0.name != "date" } == requests[1].headers.filter { $0.name != "date" })
            #expect(requests[0].text.contains(#""shopregion":"eu""#) && requests[0].text.contains(#""id":"same""#), "\(requests[0].text)")
        }
    }

    @Test func answersCarryLengthTypeDateAndServer() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            try await connection.write(Self.post("/", Self.event("a")))
            let answer = try await connection.readAnswer()
            #expect(answer.headers.map(\.0) == ["content-type", "content-length", "date", "server"])
            #expect(answer.header("content-type") == "application/json")
            #expect(answer.header("content-length") == "\(answer.body.utf8.count)")
            #expect(answer.header("server") == "event-gateway")
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = try #require(answer.header("date").flatMap(formatter.date(from:)), "date \(answer.header("date") ?? "none")")
            #expect(abs(date.timeIntervalSinceNow) < 5)
        }
    }

    @Test func aBodyInSeveralWritesIsReadWhole() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            let body = Self.event("split")
            let chunked = "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            try await connection.write(chunked + String(format: "%x\r\n", 10) + String(body.prefix(10)) + "\r\n")
            try await Task.sleep(for: .milliseconds(100))
            let rest = String(body.dropFirst(10))
            try await connection.write(String(format: "%x\r\n", rest.utf8.count) + rest + "\r\n0\r\n\r\n")
            let answer = try await connection.readAnswer()
            #expect(answer.status == 202)
            #expect(answer.body == Self.accepted("split"))
        }
    }

    @Test func aClientExpecting100ContinueIsToldToSend() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            let body = Self.event("expecting")
            try await connection.write(
                "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            let proceed = try await connection.readAnswer()
            #expect(proceed.status == 100)
            try await connection.write(body)
            let answer = try await connection.readAnswer()
            #expect(answer.status == 202)
            #expect(answer.body == Self.accepted("expecting"))
        }
    }

    @Test func anOversizeBodyGets413AndTheConnectionGoesOn() async throws {
        try await Self.run(maxBody: 64) { port in
            let connection = try RawConnection(port: port)
            let padding = String(repeating: "x", count: 50)
            let chunk = #"{"padding":""# + padding + #""}"#
            // Chunked: the size shows only while reading, past the limit.
            let chunked = "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            try await connection.write(chunked + String(format: "%x\r\n", chunk.utf8.count) + chunk + "\r\n" + String(format: "%x\r\n", chunk.utf8.count) + chunk + "\r\n0\r\n\r\n")
            let tooLarge = try await connection.readAnswer()
            #expect(tooLarge.status == 413)
            #expect(tooLarge.body.contains(#""code":"body_too_large""#) && tooLarge.body.contains(#""limit":64"#))
            // Declared too large: refused the same way.
            try await connection.write(Self.post("/", chunk + chunk))
            let declared = try await connection.readAnswer()
            #expect(declared.status == 413)
            try await connection.write(Self.post("/", #"{"specversion":"1.0","id":"s","source":"/","type":"t"}"#))
            let small = try await connection.readAnswer()
            #expect(small.status == 202)
            #expect(small.body == Self.accepted("s"))
        }
    }

    /// Bad bytes after a post: the post is answered first, then the 400 for the bytes, and the connection closes.
    @Test func garbageAfterAPostGetsA400AfterThePostsAnswer() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            try await connection.write(Self.post("/", Self.event("first")) + "NOT HTTP AT ALL\r\n\r\n")
            let first = try await connection.readAnswer()
            #expect(first.status == 202)
            #expect(first.body == Self.accepted("first"))
            let bad = try await connection.readAnswer()
            #expect(bad.status == 400)
            let closed = try await connection.readsEndOfFile()
            #expect(closed)
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            try await connection.write(Self.post("/", Self.event("last"), headers: "Connection: close\r\n"))
            let answer = try await connection.readAnswer()
            #expect(answer.status == 202)
            #expect(answer.header("connection") == "close")
            let closed = try await connection.readsEndOfFile()
            #expect(closed)
            // HTTP/1.0 without keep-alive closes too.
            let old = try RawConnection(port: port)
            let body = Self.event("old")
            try await old.write("POST / HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let oldAnswer = try await old.readAnswer()
            #expect(oldAnswer.status == 202)
            #expect(oldAnswer.body == Self.accepted("old"))
            let oldClosed = try await old.readsEndOfFile()
            #expect(oldClosed)
        }
    }

    /// A post arriving a few bytes at a time, cut inside the request line, a field, the blank line and
    /// the body, then a second one in the same pieces: both are read whole.
    @Test func aPostInSmallPiecesIsReadWhole() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            let bytes = Array((Self.post("/", Self.event("piece")) + Self.post("/", Self.event("piece2"))).utf8)
            for start in stride(from: 0, to: bytes.count, by: 7) {
                try await connection.write(String(decoding: bytes[start..<min(bytes.count, start + 7)], as: UTF8.self))
                try await Task.sleep(for: .milliseconds(2))
            }
            let first = try await connection.readAnswer()
            let second = try await connection.readAnswer()
            #expect(first.body == Self.accepted("piece"))
            #expect(second.body == Self.accepted("piece2"))
        }
    }

    /// A chunked post is left to NIO's decoder with the rest of the connection: it and the plain post
    /// and the request after it are answered, in order.
    @Test func requestsAfterAChunkedPostAreAnsweredInOrder() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            let body = Self.event("chunked")
            let chunked = "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n"
            try await connection.write(Self.post("/", Self.event("plain")) + chunked + Self.post("/", Self.event("after")) + Self.get("/healthz"))
            var answers: [RawConnection.Answer] = []
            for _ in 0..<4 { answers.append(try await connection.readAnswer()) }
            #expect(answers.map(\.body) == [Self.accepted("plain"), Self.accepted("chunked"), Self.accepted("after"), #"{"status":"ok"}"#])
        }
    }

    /// Both `Content-Length` and `Transfer-Encoding`, the classic smuggling request: refused with 400,
    /// and the request hidden in its body is never answered.
    @Test func aRequestWithTwoFramingsIsRefused() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            let hidden = Self.post("/", Self.event("hidden"))
            try await connection.write(
                Self.post("/", Self.event("before")) + "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(5 + hidden.utf8.count)\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden)
            let before = try await connection.readAnswer()
            #expect(before.body == Self.accepted("before"))
            let refused = try await connection.readAnswer()
            #expect(refused.status == 400)
            let closed = try await connection.readsEndOfFile()
            #expect(closed)
        }
    }

    @Test func badEventsGetTheRouterSameErrors() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            try await connection.write(Self.post("/events/nope", "{}") + Self.post("/", "{") + Self.post("/events/a/b", "{}"))
            let unknown = try await connection.readAnswer()
            #expect(unknown.status == 404)
            #expect(unknown.body.contains(#""code":"unknown_dialect""#))
            let malformed = try await connection.readAnswer()
            #expect(malformed.status == 400)
            #expect(malformed.body.contains(#""code":"malformed_json""#))
            // Not an event endpoint: the router's own 404.
            let elsewhere = try await connection.readAnswer()
            #expect(elsewhere.status == 404)
            #expect(elsewhere.body.contains(#""code":"no_endpoint""#))
        }
    }
}
