import Foundation
import GatewayCore
import GatewayStubs
import GatewayTesting
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

extension LiveSuites {
    /// Every platform through the running gateway: a real fixture is POSTed the way its trigger sends it, and
    /// stub functions (real HTTP servers) must receive exactly the calls its envelopes call for, in every
    /// body format, in sync and async mode.
    @Suite
    struct EndToEndTests {
        /// Every valid fixture but APIG (request/reply, see APIGTests) and extremum direct calls (answered by
        /// the one function they name, see ``ExtremumTests``).
        static let fixtures: [Fixture] = ((try? Fixtures.valid()) ?? []).filter { !["functiongraph.apig", "extremum.call"].contains($0.dialect) }

        /// The dialects the end-to-end cases must cover, one fixture folder each.
        static let platforms: Set<String> = [
            "functiongraph.smn", "functiongraph.dms", "functiongraph.obs", "functiongraph.dis", "functiongraph.timer", "functiongraph.lts",
            "functiongraph.cts", "functiongraph.dds", "functiongraph.kafka", "functiongraph.rocketmq", "functiongraph.rabbitmq",
            "functiongraph.asyncnotification", "functiongraph.eventgrid", "yandex.budget", "yandex.cloudlogs", "yandex.containerregistry",
            "yandex.datastreams", "yandex.event", "yandex.iot", "yandex.logging", "yandex.mail", "yandex.messagequeue", "yandex.storage",
            "yandex.timer", "cloudevents.structured", "cloudevents.binary", "cloudevents.batch", "openwhisk.fire",
        ]

        /// The parameterized tests below run over ``fixtures``: an empty or partial list must fail here
        /// rather than pass there with nothing tested.
        @Test func everyPlatformHasFixtures() {
            #expect(Set(Self.fixtures.map(\.dialect)) == Self.platforms)
            #expect(Self.fixtures.count >= 100)
        }

        /// The functions of a fixture case, all on one stub (each on a path of its own), all taking the
        /// topic every envelope is routed to.
        static func functions(_ stub: StubFunction, mode: InvocationMode) -> [FunctionDeclaration] {
            BodyCase.allCases.map { format in
                var function = FunctionDeclaration.http(format.rawValue, url: stub.url + "/" + format.rawValue, topics: ["all"], mode: mode.rawValue)
                function.body = format.bodyFormat.rawValue
                function.headers = [("X-Team", "e2e")]
                if format == .typed { function.contentType = "application/x-e2e" }
                return function
            }
        }

        /// The declared functions: one per body format, and one with its own content type.
        enum BodyCase: String, CaseIterable {
            case original, typed, grouped, cloudevent, binary

            var bodyFormat: BodyFormat {
                switch self {
                case .original, .typed: .original
                case .grouped: .grouped
                case .cloudevent: .cloudevent
                case .binary: .binary
                }
            }
        }

        @Test(arguments: fixtures, InvocationMode.allCases)
        func deliversEveryFixture(_ fixture: Fixture, mode: InvocationMode) async throws {
            let request = FixtureRequest(fixture)
            let folder = try RoutesFolder()
            try await StubFunction.withStub(reply: .json(#"{"ok":true}"#)) { stub in
                try folder.write("e2e.yaml", routeFile(routes: [.all()], functions: Self.functions(stub, mode: mode)))
                try await LiveGateway(folder).run { client in
                    let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                    let answer = try jsonObject(response)
                    // OpenWhisk answers with the activation: the id of the fire's one envelope.
                    let activation = (answer["activationId"] as? String).map { [$0] }
                    let accepted = try #require(activation ?? answer["accepted"] as? [String], "no ids in \(answer)")
                    // original, typed and grouped take the whole request; cloudevent and binary one envelope each.
                    let calls = accepted.isEmpty ? 0 : 3 + 2 * accepted.count
                    let received = try await stub.waitForRequests(count: calls, timeout: .seconds(30))
                    #expect(received.count == calls, "\(received.map(\.target))")
                    let delivered = try received.filter { $0.path == "/cloudevent" }.map { try Envelope(cloudEventJSON: $0.body) }
                    let expected = try request.expectedNormalization(deliveredTimes: delivered.compactMap(\.time))
                    #expect(accepted == expected.envelopes.map(\.id))
                    try Self.checkAnswer(response, answer, fixture: fixture, mode: mode, envelopes: expected.envelopes.count)
                    try Self.checkCalls(received, request: request, expected: expected)
                }
            }
        }

        // MARK: - Checks

        /// The gateway's answer: OpenWhisk's activation, 202 with the ids once queued, 200 with every sync
        /// result.
        static func checkAnswer(_ response: TestResponse, _ answer: [String: Any], fixture: Fixture, mode: InvocationMode, envelopes: Int) throws {
            if fixture.dialect == "openwhisk.fire" {
                #expect(response.status == .accepted)
                #expect(answer.count == 1)
                #expect(response.headers[HTTPField.Name("x-openwhisk-activation-id")!] == answer["activationId"] as? String)
                return
            }
            let calls = envelopes == 0 ? 0 : 3 + 2 * envelopes
            #expect(answer["queued"] as? Int == (mode == .async ? calls : 0))
            #expect(answer["unsubscribed"] as? Int == 0)
            guard mode == .sync, calls > 0 else {
                #expect(response.status == .accepted)
                #expect(answer["results"] == nil)
                return
            }
            #expect(response.status == .ok)
            let results = try #require(answer["results"] as? [[String: Any]])
            let expected = BodyCase.allCases.flatMap { format -> [String] in
                let result = #"{"function":"\#(format.rawValue)","outcome":"delivered","status":200}"#
                return Array(repeating: result, count: format.bodyFormat.isPerEnvelope ? envelopes : 1)
            }
            #expect(results.map(canonicalJSON).sorted() == expected.sorted())
        }

        /// The calls each function received.
        static func checkCalls(_ received: [RecordedRequest], request: FixtureRequest, expected: Normalization) throws {
            let tracing = expected.envelopes.lazy.compactMap { $0.extensions["traceparent"]?.description }.first
            for call in received {
                #expect(call.method == "POST")
                // Never two; none only where nothing says what the body is (binary mode, an empty body).
                #expect(call.values(of: "Content-Type").count <= 1, "\(call.target): \(call.headers)")
                #expect(call.values(of: "X-Topic") == ["all"])
                #expect(call.values(of: "X-Connector") == ["event-gateway"])
                #expect(call.values(of: "User-Agent") == ["event-gateway"])
                #expect(call.values(of: "X-Team") == ["e2e"])
                #expect(call.values(of: "traceparent") == (tracing.map { [$0] } ?? []))
                #expect(call.header("Authorization") == nil, "Authorization is never forwarded")
            }
            let triggerType = request.contentType ?? (request.body.isEmpty ? nil : "application/octet-stream")
            for (path, contentType) in [("/original", triggerType), ("/typed", "application/x-e2e")] {
                let calls = received.filter { $0.path == path }
                #expect(calls.map(\.body) == (expected.envelopes.isEmpty ? [] : [request.body]), "\(path)")
                #expect(calls.allSatisfy { $0.values(of: "Content-Type") == (contentType.map { [$0] } ?? []) }, "\(path)")
            }
            let grouped = received.filter { $0.path == "/grouped" }
            let everything = Array(expected.envelopes.indices)
            #expect(grouped.map(\.body) == (expected.envelopes.isEmpty ? [] : [expected.groupedBody(keeping: everything)]))
            #expect(grouped.allSatisfy { $0.values(of: "Content-Type") == (triggerType.map { [$0] } ?? []) })
            let structured = received.filter { $0.path == "/cloudevent" }
            #expect(structured.map(\.text).sorted() == expected.envelopes.map { String(decoding: $0.jsonBytes(), as: UTF8.self) }.sorted())
            #expect(structured.allSatisfy { $0.values(of: "Content-Type") == [MediaType.cloudEventsJSON] })
            let binary = try received.filter { $0.path == "/binary" }.map(BinaryView.init(received:))
            #expect(binary.sorted() == expected.envelopes.map(BinaryView.init(envelope:)).sorted())
        }
    }
}
