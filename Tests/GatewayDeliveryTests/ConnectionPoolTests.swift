import GatewayCore
import GatewayDelivery
import NIOCore
import NIOPosix
import Testing

/// The pooled HTTP/1.1 client against raw servers: reuse, framing, closes, failures.
struct ConnectionPoolTests {
    /// Runs `body` with a pool on a one-loop group of its own, so that every call shares the loop's
    /// connections and the counts of accepted connections are exact.
    func withPool<T>(_ configuration: ConnectionPoolConfiguration = .init(), _ body: (ConnectionPool) async throws -> T) async throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pool = ConnectionPool(configuration: configuration, eventLoopGroup: group)
        let value: T
        do {
            value = try await body(pool)
        } catch {
            await pool.shutdown()
            try await group.shutdownGracefully()
            throw error
        }
        await pool.shutdown()
        try await group.shutdownGracefully()
        return value
    }

    func post(_ pool: ConnectionPool, _ url: String, limit: Int = 1 << 20) async throws -> HTTP1Response {
        try await pool.post(url: url, headers: [HeaderField("X-Test", "1")], body: Array("hi".utf8), maxResponseBytes: limit)
    }

    /// The failure of a call that must fail.
    func failure(_ pool: ConnectionPool, _ url: String, limit: Int = 1 << 20) async -> ConnectionPoolError? {
        do {
            _ = try await pool.post(url: url, headers: [], body: [], maxResponseBytes: limit)
            return nil
        } catch {
            return error
        }
    }

    @Test func sequentialCallsReuseOneConnection() async throws {
        try await RawServer.with({ _ in [.send(RawServer.answer(200, "ok"))] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                for _ in 0..<5 {
                    let response = try await post(pool, server.url)
                    #expect(response.status == 200)
                    #expect(response.body == Array("ok".utf8))
                }
                #expect(server.accepted == 1)
                #expect(server.requests.map(\.index) == [1, 2, 3, 4, 5])
            }
        }
    }

    @Test func theRequestIsOnePostWithHostLengthAndTheHeadersInOrder() async throws {
        try await RawServer.with({ _ in [.send(RawServer.answer())] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                _ = try await pool.post(
                    url: server.url + "/hooks/a%20b?tenant=x&y=1", headers: [HeaderField("Content-Type", "text/plain"), HeaderField("X-B", "2")],
                    body: Array("hello".utf8), maxResponseBytes: 1024)
                let request = try #require(server.requests.first)
                #expect(
                    request.head
                        == "POST /hooks/a%20b?tenant=x&y=1 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nContent-Type: text/plain\r\nX-B: 2\r\nContent-Length: 5")
                #expect(request.body == "hello")
            }
        }
    }

    @Test func parallelCallsOpenAtMostOneConnectionEachThenReuseThem() async throws {
        try await RawServer.with({ _ in [.pause(.milliseconds(200)), .send(RawServer.answer())] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                for _ in 0..<2 {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<4 { group.addTask { try await post(pool, server.url).status } }
                        for try await status in group { #expect(status == 200) }
                    }
                }
                #expect(server.accepted <= 4)
                #expect(server.requests.count == 8)
            }
        }
    }

    @Test func callsBeyondTheHostLimitWaitForAConnection() async throws {
        try await RawServer.with({ _ in [.pause(.milliseconds(100)), .send(RawServer.answer())] }) { server in
            try await withPool(.init(maxConnectionsPerHost: 2)) { (pool: ConnectionPool) async throws in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<6 { group.addTask { try await post(pool, server.url).status } }
                    for try await status in group { #expect(status == 200) }
                }
                #expect(server.accepted == 2)
            }
        }
    }

    @Test func chunkedAnswerIsReadWholeAndTheConnectionReused() async throws {
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        try await RawServer.with({ _ in [.send(chunked)] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                #expect(try await post(pool, server.url).body == Array("hello world".utf8))
                #expect(try await post(pool, server.url).body == Array("hello world".utf8))
                #expect(server.accepted == 1)
            }
        }
    }

    @Test func answerReadToCloseEndsWithTheConnection() async throws {
        try await RawServer.with({ _ in [.send("HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nall of it"), .close] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                let response = try await post(pool, server.url)
                #expect(response.body == Array("all of it".utf8))
                #expect(response.headers == [HeaderField("X-A", "1")])
                #expect(try await post(pool, server.url).body == Array("all of it".utf8))
                #expect(server.accepted == 2)
            }
        }
    }

    @Test(arguments: ["HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"])
    func connectionCloseAnswerIsNotReused(_ answer: String) async throws {
        // The server leaves the connection open: the client must close it.
        try await RawServer.with({ _ in [.send(answer)] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                #expect(try await post(pool, server.url).body == Array("ok".utf8))
                #expect(try await post(pool, server.url).body == Array("ok".utf8))
                #expect(server.accepted == 2)
            }
        }
    }

    @Test func idleConnectionClosedByTheServerIsReplaced() async throws {
        try await RawServer.with({ _ in [.send(RawServer.answer()), .close] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                #expect(try await post(pool, server.url).status == 200)
                try await Task.sleep(for: .milliseconds(100))
                #expect(try await post(pool, server.url).status == 200)
                #expect(server.accepted == 2)
            }
        }
    }

    @Test func requestOnAConnectionTheServerClosedIsRetriedOnceOnANewOne() async throws {
        // The keep-alive race: the second request reaches a connection the server is closing.
        let script: RawServer.Script = { received in
            received.connection == 1 && received.index == 2 ? [.close] : [.send(RawServer.answer())]
        }
        try await RawServer.with(script) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                #expect(try await post(pool, server.url).status == 200)
                #expect(try await post(pool, server.url).status == 200)
                #expect(server.accepted == 2)
                #expect(server.requests.count == 3)
            }
        }
    }

    @Test func newConnectionClosedBeforeTheAnswerIsNotRetried() async throws {
        try await RawServer.with({ _ in [.close] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                let error = try #require(await failure(pool, server.url))
                #expect(error.code == .closed)
                #expect(error.status == nil)
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test func resetMidBodyIsInterruptedWithTheStatus() async throws {
        let cut = "HTTP/1.1 502 Bad\r\nContent-Length: 100\r\nX-A: 1\r\n\r\npartial"
        try await RawServer.with({ _ in [.send(cut), .pause(.milliseconds(50)), .reset] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                let error = try #require(await failure(pool, server.url))
                #expect(error.code == .interrupted)
                #expect(error.status == 502)
                #expect(error.headers?.contains(HeaderField("X-A", "1")) == true)
            }
        }
    }

    @Test func closeMidBodyIsInterrupted() async throws {
        try await RawServer.with({ _ in [.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"), .close] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                let error = try #require(await failure(pool, server.url))
                #expect(error.code == .interrupted)
                #expect(error.status == 200)
            }
        }
    }

    @Test func aMalformedAnswerFailsSayingWhyAndTheConnectionIsNotReused() async throws {
        let bad = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"
        try await RawServer.with({ request in [.send(request.connection == 1 ? bad : RawServer.answer(200, "ok"))] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                let error = try #require(await failure(pool, server.url))
                #expect(error == ConnectionPoolError(.closed, "malformed answer: Content-Length fields disagree"))
                #expect(try await post(pool, server.url).body == Array("ok".utf8))
                #expect(server.accepted == 2)
            }
        }
    }

    @Test func bytesAfterTheAnswerCloseTheConnection() async throws {
        try await RawServer.with({ _ in [.send(RawServer.answer(200, "ok") + "HTTP/1.1 200 OK\r\n")] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                #expect(try await post(pool, server.url).body == Array("ok".utf8))
                #expect(try await post(pool, server.url).body == Array("ok".utf8))
                #expect(server.accepted == 2)
            }
        }
    }

    @Test func bytesAfterAnAnswerAreNotTakenForTheNextCallsAnswer() async throws {
        let extra = RawServer.answer(200, "bogus")
        try await RawServer.with({ request in
            request.connection == 1 ? [.pause(.milliseconds(100)), .send(RawServer.answer(200, "one") + extra)] : [.send(RawServer.answer(200, "two"))]
        }) { server in
            try await withPool(.init(maxConnectionsPerHost: 1)) { (pool: ConnectionPool) async throws in
                async let first = post(pool, server.url)
                try await Task.sleep(for: .milliseconds(20))
                async let second = post(pool, server.url)
                #expect(try await first.body == Array("one".utf8))
                #expect(try await second.body == Array("two".utf8))
                #expect(server.accepted == 2)
            }
        }
    }

    @Test(arguments: [false, true])
    func bodyOverTheLimitFailsAndClosesTheConnection(chunked: Bool) async throws {
        let big = String(repeating: "A", count: 4096)
        let answer =
            chunked
            ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n\(big)\r\n0\r\n\r\n" : RawServer.answer(200, big)
        try await RawServer.with({ _ in [.send(answer)] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                let error = try #require(await failure(pool, server.url, limit: 1024))
                #expect(error.code == .responseTooLarge)
                #expect(error.status == 200)
                #expect(try await post(pool, server.url).body.count == 4096)
                #expect(server.accepted == 2)
            }
        }
    }

    @Test func refusedPortFailsToConnect() async throws {
        // A privileged port nothing listens on: a stopped server's port could be taken meanwhile by a
        // server of a test running alongside (port 0 hands out only unprivileged ports).
        let url = "http://127.0.0.1:9/"
        try await withPool { (pool: ConnectionPool) async throws in
            let error = try #require(await failure(pool, url))
            #expect(error.code == .connectFailed)
        }
    }

    @Test func repeatedHeadersAreKeptInOrder() async throws {
        let answer = RawServer.answer(200, "ok", headers: ["Set-Cookie: a=1", "X-B: 2", "set-cookie: b=2"])
        try await RawServer.with({ _ in [.send(answer)] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                let response = try await post(pool, server.url)
                #expect(
                    response.headers == [
                        HeaderField("Set-Cookie", "a=1"), HeaderField("X-B", "2"), HeaderField("set-cookie", "b=2"), HeaderField("Content-Length", "2"),
                    ])
            }
        }
    }

    @Test func informationalAnswersAreSkipped() async throws {
        let answers = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n" + RawServer.answer(201, "made")
        try await RawServer.with({ _ in [.send(answers)] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                let response = try await post(pool, server.url)
                #expect(response.status == 201)
                #expect(response.body == Array("made".utf8))
                #expect(response.headers == [HeaderField("Content-Length", "4")])
                #expect(try await post(pool, server.url).status == 201)
                #expect(server.accepted == 1)
            }
        }
    }

    @Test func cancellingACallClosesItsConnection() async throws {
        try await RawServer.with({ _ in [.pause(.seconds(2)), .send(RawServer.answer())] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                let call = Task { await failure(pool, server.url) }
                while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                call.cancel()
                #expect(await call.value?.code == .cancelled)
                // A new connection: the one with the answer still coming was closed, not reused.
                let started = ContinuousClock.now
                #expect(try await post(pool, server.url).status == 200)
                #expect(server.accepted == 2)
                #expect(ContinuousClock.now - started >= .seconds(1))
            }
        }
    }

    @Test func aPassedDeadlineClosesTheConnection() async throws {
        // The first connection would answer long after the deadline, so that a loaded test run, which can hold
        // this task for seconds, still tells a closed call from an answered one.
        let script: RawServer.Script = { received in
            received.connection == 1 ? [.pause(.seconds(30)), .send(RawServer.answer())] : [.send(RawServer.answer())]
        }
        try await RawServer.with(script) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                let started = ContinuousClock.now
                do {
                    _ = try await pool.post(url: server.url, headers: [], body: [], maxResponseBytes: 1024, deadline: .now() + .milliseconds(200))
                    Issue.record("the call should have timed out")
                } catch {
                    #expect((error as? ConnectionPoolError)?.code == .timedOut)
                }
                #expect(ContinuousClock.now - started < .seconds(10))
                #expect(try await post(pool, server.url).status == 200)
                #expect(server.accepted == 2)
            }
        }
    }

    @Test func idleConnectionsCloseAfterTheIdleTimeout() async throws {
        try await RawServer.with({ _ in [.send(RawServer.answer())] }) { server in
            try await withPool(.init(idleTimeout: .milliseconds(200))) { (pool: ConnectionPool) async throws in
                #expect(try await post(pool, server.url).status == 200)
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await post(pool, server.url).status == 200)
                #expect(server.accepted == 2)
            }
        }
    }

    @Test func callsAfterShutdownFail() async throws {
        try await RawServer.with({ _ in [.send(RawServer.answer())] }) { server in
            try await withPool { (pool: ConnectionPool) async throws in
                #expect(try await post(pool, server.url).status == 200)
                await pool.shutdown()
                #expect(await failure(pool, server.url)?.code == .shutDown)
            }
        }
    }

    @Test func invokerReportsAnInterruptedAnswerWithItsStatus() async throws {
        let cut = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"
        try await RawServer.with({ _ in [.send(cut), .close] }) { server in
            try await Support.withInvoker { invoker in
                let result = await invoker.invoke(
                    Invocation(function: FunctionSpec(name: "cut", target: .http(url: server.url)), topics: ["t"], envelopes: [], payload: Support.payload("{}")))
                #expect(result.outcome == .failed)
                #expect(result.status == 200)
                #expect(result.error?.code == .interrupted)
                #expect(result.error?.message.hasPrefix("the answer from \(server.url) broke off: ") == true)
            }
        }
    }
}
