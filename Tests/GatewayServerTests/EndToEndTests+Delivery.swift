import Foundation
import GatewayCore
import GatewayServer
import GatewayStubs
import GatewayTesting
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Delivery rules seen end to end: grouped batches, trace context, nothing to call.
extension LiveSuites.EndToEndTests {
    static func fixture(_ relativePath: String) throws -> FixtureRequest {
        let fixture = try #require(try Fixtures.valid().first { $0.relativePath == relativePath }, "no fixture \(relativePath)")
        return FixtureRequest(fixture)
    }

    /// The extremum model: two functions subscribed to different messages of one Yandex batch get one
    /// call each, the batch cut down to their messages; a function taking both gets the body as it came.
    @Test(arguments: InvocationMode.allCases)
    func groupedBatchesCarryOnlyTheSubscribedMessages(mode: InvocationMode) async throws {
        let request = try Self.fixture("fixtures/yandex/messagequeue/two-messages-with-attributes.json")
        let folder = try RoutesFolder()
        try await StubFunction.withStub { stub in
            let routes = [
                RouteDeclaration(id: "paid", topic: "orders.paid", when: "{data.status: paid}"),
                RouteDeclaration(id: "notes", topic: "orders.notes", when: "{datacontenttype: text/plain}"),
            ]
            let functions = [
                FunctionDeclaration.http("payments", url: stub.url + "/payments", topics: ["orders.paid"], mode: mode.rawValue, body: "grouped"),
                FunctionDeclaration.http("notes", url: stub.url + "/notes", topics: ["orders.notes"], mode: mode.rawValue, body: "grouped"),
                FunctionDeclaration.http(
                    "both", url: stub.url + "/both", topics: ["orders.paid", "orders.notes"], mode: mode.rawValue, body: "grouped"),
            ]
            try folder.write("grouped.yaml", routeFile(routes: routes, functions: functions))
            try await LiveGateway(folder).run { client in
                let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                #expect(response.status == (mode == .sync ? .ok : .accepted))
                let ids = ["7d1e2f30-aaaa-4b5c-9d8e-1f2a3b4c5d6e", "7d1e2f30-bbbb-4b5c-9d8e-1f2a3b4c5d6e"]
                #expect(try jsonObject(response)["accepted"] as? [String] == ids)
                let calls = try await stub.waitForRequests(count: 3, timeout: .seconds(30))
                #expect(calls.count == 3)
                let messages = try #require(try jsonValue(request.body) as? [String: Any])["messages"] as? [Any]
                let batch = try #require(messages)
                for (path, kept, topic) in [("/payments", [0], "orders.paid"), ("/notes", [1], "orders.notes")] {
                    let call = try #require(stub.requests(on: path).first, "no call on \(path)")
                    #expect(stub.requests(on: path).count == 1)
                    #expect(canonicalJSON(try jsonValue(call.body)) == canonicalJSON(["messages": kept.map { batch[$0] }]), "\(path): \(call.text)")
                    #expect(call.values(of: "X-Topic") == [topic])
                    #expect(call.values(of: "Content-Type") == ["application/json"])
                }
                #expect(stub.requests(on: "/both").map(\.body) == [request.body])
                #expect(stub.requests(on: "/both").first?.values(of: "X-Topic") == ["orders.paid"])
            }
        }
    }

    /// A function subscribed to two topics of one envelope is called once, under the first topic.
    @Test func oneCallPerFunctionWhateverTheTopics() async throws {
        let request = try Self.fixture("fixtures/functiongraph/smn/single-record.json")
        let folder = try RoutesFolder()
        try await StubFunction.withStub { stub in
            let routes = [RouteDeclaration.all("first", topic: "first"), RouteDeclaration.all("second", topic: "second")]
            let twice = FunctionDeclaration.http("twice", url: stub.url, topics: ["second", "first"], mode: "sync")
            try folder.write("twice.yaml", routeFile(routes: routes, functions: [twice]))
            try await LiveGateway(folder).run { client in
                let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                #expect(response.status == .ok)
                #expect(stub.requests.count == 1)
                #expect(stub.requests.first?.values(of: "X-Topic") == ["first"])
            }
        }
    }

    /// Sync calls beyond a function's concurrency wait for a free slot: never more in flight than the
    /// limit, every post answered with its function's result.
    @Test func syncPostsBeyondTheConcurrencyLimitWaitTheirTurn() async throws {
        let request = try Self.fixture("fixtures/functiongraph/smn/single-record.json")
        let folder = try RoutesFolder()
        try await StubFunction.withStub(reply: .text("done", delay: .seconds(1))) { stub in
            var narrow = FunctionDeclaration.http("narrow", url: stub.url, topics: ["all"], mode: "sync")
            narrow.concurrency = 2
            try folder.write("narrow.yaml", routeFile(routes: [.all()], functions: [narrow]))
            try await LiveGateway(folder).run { client in
                let calls = 6
                let answers = try await withThrowingTaskGroup(of: (status: Int, body: String).self) { group in
                    for _ in 0..<calls { group.addTask { try await client.sendRaw(request.path, body: request.body) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.map(\.status) == Array(repeating: 200, count: calls))
                for answer in answers {
                    let results = try #require(try jsonValue(Array(answer.body.utf8)) as? [String: Any])["results"] as? [[String: Any]]
                    #expect(results?.map { $0["outcome"] as? String } == ["delivered"], "\(answer.body)")
                }
                #expect(stub.requests.count == calls)
                #expect(stub.maxConcurrentRequests == 2)
            }
        }
    }

    /// An event carrying trace context passes it on to every call, whatever the body format.
    @Test func traceContextIsPassedOn() async throws {
        let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let headers = [
            ("ce-specversion", "1.0"), ("ce-id", "traced-1"), ("ce-source", "/tests"), ("ce-type", "com.example.traced"),
            ("ce-traceparent", traceparent), ("ce-tracestate", "vendor=1"), ("Content-Type", "application/json"),
        ]
        let folder = try RoutesFolder()
        try await StubFunction.withStub { stub in
            let functions = ["original", "cloudevent", "binary"].map {
                FunctionDeclaration.http($0, url: stub.url + "/" + $0, topics: ["all"], mode: "sync", body: $0)
            }
            try folder.write("traced.yaml", routeFile(routes: [.all()], functions: functions))
            try await LiveGateway(folder).run { client in
                let response = try await client.send(.post, "/", headers: headers, body: Array(#"{"n": 1}"#.utf8))
                #expect(response.status == .ok)
                #expect(stub.requests.count == 3)
                for call in stub.requests {
                    #expect(call.values(of: "traceparent") == [traceparent], "\(call.target)")
                    #expect(call.values(of: "tracestate") == ["vendor=1"], "\(call.target)")
                }
            }
        }
    }

    /// `send_topic: false` leaves `X-Topic` out of every call.
    @Test func topicHeaderCanBeTurnedOff() async throws {
        let request = try Self.fixture("fixtures/functiongraph/smn/single-record.json")
        let folder = try RoutesFolder()
        try await StubFunction.withStub { stub in
            try folder.write("quiet.yaml", routeFile(routes: [.all()], functions: [.http("quiet", url: stub.url, topics: ["all"], mode: "sync")]))
            try await LiveGateway(folder, { $0.sendTopic = false }).run { client in
                let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                #expect(response.status == .ok)
                #expect(stub.requests.count == 1)
                #expect(stub.requests.first?.values(of: "X-Topic") == [])
                #expect(stub.requests.first?.values(of: "X-Connector") == ["event-gateway"])
            }
        }
    }

    /// Every invocation yields a result, and so does every topic nobody takes: the result webhook gets
    /// them all as JSON.
    @Test func resultsGoToTheWebhook() async throws {
        let request = try Self.fixture("fixtures/functiongraph/smn/single-record.json")
        let folder = try RoutesFolder()
        let hook = try await StubFunction.start(reply: StubReply(status: 204))
        defer { Task { await hook.stop() } }
        try await StubFunction.withStub(reply: .text("thanks")) { stub in
            let routes = [RouteDeclaration.all("taken", topic: "taken"), RouteDeclaration.all("lost", topic: "nobody")]
            let hooked = FunctionDeclaration.http("hooked", url: stub.url, topics: ["taken"], mode: "sync")
            try folder.write("hooked.yaml", routeFile(routes: routes, functions: [hooked]))
            try await LiveGateway(folder, { $0.resultWebhook = hook.url + "/results" }).run { client in
                let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                #expect(response.status == .ok)
                let answer = try jsonObject(response)
                #expect(answer["unsubscribed"] as? Int == 1)
                let id = try #require(answer["accepted"] as? [String]).first ?? ""
                let results = try await Self.webhookResults(hook, count: 2)
                #expect(hook.requests.allSatisfy { $0.path == "/results" && $0.values(of: "Content-Type") == ["application/json"] })
                let summaries = results.map { result in
                    ["function", "outcome", "status", "topics", "envelopeIDs", "url", "body"].compactMap { key in
                        result[key].map { "\(key)=\(canonicalJSON($0))" }
                    }.joined(separator: " ")
                }
                let expected = [
                    #"outcome="no_subscribers" topics=["nobody"] envelopeIDs=["\#(id)"] body="""#,
                    #"function="hooked" outcome="delivered" status=200 topics=["taken"] envelopeIDs=["\#(id)"] url="\#(stub.url)" body="thanks""#,
                ]
                #expect(summaries.sorted() == expected.sorted())
            }
        }
    }

    /// The results a webhook received, once there are at least `count`.
    static func webhookResults(_ hook: StubFunction, count: Int) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let results = try hook.requests.flatMap { try #require(try jsonValue($0.body) as? [[String: Any]]) }
            if results.count >= count || ContinuousClock.now > deadline { return results }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// An OpenWhisk fire that no function takes answers 204, and one with no subscribers for its topic too.
    @Test(arguments: [false, true])
    func openWhiskFireWithoutTakersIs204(routed: Bool) async throws {
        let request = try Self.fixture("fixtures/openwhisk/fire/parameters.json")
        let folder = try RoutesFolder()
        try folder.write("routes.yaml", routeFile(routes: routed ? [.all()] : []))
        try await LiveGateway(folder).run { client in
            let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
            #expect(response.headers[HTTPField.Name("x-openwhisk-activation-id")!] == nil)
        }
    }

    /// A sync function that fails makes the answer 502 so that the trigger retries; the results say why.
    @Test func aFailedSyncCallIs502() async throws {
        let request = try Self.fixture("fixtures/functiongraph/smn/single-record.json")
        let folder = try RoutesFolder()
        try await StubFunction.withStub(reply: .text("out of paper", status: 500)) { stub in
            let functions = [FunctionDeclaration.http("printer", url: stub.url, topics: ["all"], mode: "sync")]
            try folder.write("failing.yaml", routeFile(routes: [.all()], functions: functions))
            try await LiveGateway(folder).run { client in
                let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                #expect(response.status == .badGateway)
                let results = try #require(try jsonObject(response)["results"] as? [[String: Any]])
                #expect(results.map(canonicalJSON) == [#"{"function":"printer","outcome":"function_error","status":500}"#])
            }
        }
    }
}
