import GatewayCore
import GatewayStubs
import GatewayTesting
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

extension LiveSuites {
    /// extremum direct calls through the running gateway: `context.function` in `context.package` is called
    /// by name with the request as it came, and its answer is the gateway's answer.
    @Suite
    struct ExtremumTests {
        /// A direct call: the fixture and the function it names.
        struct Call: Sendable, CustomStringConvertible {
            let fixture: Fixture
            let function: String
            let package: String?

            var address: String { package.map { "\(function).\($0)" } ?? function }
            var description: String { fixture.description }

            /// Whether a route file can declare the function (names are lower-case ASCII).
            var isDeclarable: Bool {
                ([function] + (package.map { [$0] } ?? [])).allSatisfy { name in
                    name.utf8.first.map { Self.nameStart.contains($0) } == true
                        && name.utf8.allSatisfy { Self.nameStart.contains($0) || "._-".utf8.contains($0) }
                }
            }

            private static let nameStart = Set("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        }

        static let calls: [Call] = ((try? Fixtures.valid()) ?? []).filter { $0.dialect == "extremum.call" }.compactMap { fixture in
            guard let envelope = try? Normalizer().normalize(fixture.event).envelopes.first,
                case .string(let function)? = envelope.extensions["function"]
            else { return nil }
            var package: String?
            if case .string(let name)? = envelope.extensions["package"] { package = name }
            return Call(fixture: fixture, function: function, package: package)
        }

        /// The parameterized tests run over filtered lists: each must hold something.
        @Test func fixturesCoverDeclaredAndUnknownFunctions() {
            #expect(Self.calls.contains { $0.isDeclarable && $0.package != nil })
            #expect(Self.calls.contains { $0.isDeclarable && $0.package == nil })
            #expect(Self.calls.contains { !$0.isDeclarable })
        }

        /// The named function gets the request body as it came and its answer (status, content type, body)
        /// is the gateway's.
        @Test(arguments: calls.filter(\.isDeclarable))
        func theNamedFunctionAnswers(_ call: Call) async throws {
            let request = FixtureRequest(call.fixture)
            let folder = try RoutesFolder()
            let reply = StubReply.json(#"{"answer": 1764, "unicode": "ё"}"#, status: 201)
            try await StubFunction.withStub(reply: reply) { stub in
                // Other functions around it: only the one named is called.
                let named = FunctionDeclaration.http(call.function, url: stub.url + "/named", topics: ["calls"], namespace: call.package)
                let other = FunctionDeclaration.http("other", url: stub.url + "/other", topics: ["all"], namespace: call.package)
                try folder.write("functions.yaml", routeFile(routes: [.all()], functions: [named, other]))
                try await LiveGateway(folder).run { client in
                    let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                    #expect(response.status == .created)
                    #expect(response.headers[.contentType] == "application/json")
                    #expect(Array(response.body.readableBytesView) == reply.body)
                    let calls = stub.requests
                    #expect(calls.map(\.path) == ["/named"])
                    #expect(calls.first?.body == request.body)
                    #expect(calls.first?.values(of: "Content-Type") == [request.contentType ?? ""])
                    #expect(calls.first?.values(of: "X-Connector") == ["event-gateway"])
                }
            }
        }

        /// A package the gateway does not know: the function's bare name still finds it.
        @Test func anUnknownPackageFallsBackToTheBareName() async throws {
            let call = try #require(Self.calls.first { $0.isDeclarable && $0.package != nil })
            let request = FixtureRequest(call.fixture)
            let folder = try RoutesFolder()
            try await StubFunction.withStub(reply: .text("bare")) { stub in
                try folder.write("functions.yaml", routeFile(functions: [.http(call.function, url: stub.url, topics: ["calls"])]))
                try await LiveGateway(folder).run { client in
                    let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == "bare")
                    #expect(stub.requests.map(\.body) == [request.body])
                }
            }
        }

        /// No function by that name: 404 naming it, and nothing is called.
        @Test(arguments: calls)
        func anUnknownFunctionIs404(_ call: Call) async throws {
            let request = FixtureRequest(call.fixture)
            let folder = try RoutesFolder()
            try await StubFunction.withStub { stub in
                try folder.write("functions.yaml", routeFile(routes: [.all()], functions: [.http("someone-else", url: stub.url, topics: ["all"])]))
                try await LiveGateway(folder).run { client in
                    let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                    #expect(response.status == .notFound)
                    let error = try errorDetail(response)
                    #expect(error["code"] == "unknown_function")
                    #expect(error["message"]?.contains("\"\(call.address)\"") == true, "\(error)")
                    #expect(stub.requests.isEmpty)
                    try await client.expectServing()
                }
            }
        }
    }
}
