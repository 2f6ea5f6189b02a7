import GatewayCore
import GatewayStubs
import GatewayTesting
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Grouped bodies for every batch fixture: a function that takes only the first message of a batch gets
/// the batch in its own container, cut down to that message.
extension LiveSuites.EndToEndTests {
    /// A batch fixture and the route condition that selects its first message.
    struct BatchCase: Sendable, CustomStringConvertible {
        let request: FixtureRequest
        /// `{batchindex: 0}`, or the first envelope's id for batches without positions (CloudEvents,
        /// EventGrid), whose ids come from the source.
        let condition: String
        /// The envelopes the condition selects.
        let selected: [Int]

        var description: String { request.fixture.description }
    }

    /// Batches of two or more messages whose first message is not the whole batch.
    static let batches: [BatchCase] = fixtures.compactMap { fixture in
        let request = FixtureRequest(fixture)
        guard let normalization = try? Normalizer().normalize(request.event(receivedAt: nil)), normalization.envelopes.count > 1,
            normalization.isBatch, let first = normalization.envelopes.first
        else { return nil }
        let (condition, selected): (String, [Int])
        if case .integer(0)? = first.extensions["batchindex"] {
            condition = "{batchindex: 0}"
            selected = normalization.envelopes.indices.filter { normalization.envelopes[$0].extensions["batchindex"] == .integer(0) }
        } else {
            condition = "{id: \(yamlString(first.id))}"
            selected = normalization.envelopes.indices.filter { normalization.envelopes[$0].id == first.id }
        }
        guard normalization.groupedEnvelopes(keeping: selected).count < normalization.envelopes.count else { return nil }
        return BatchCase(request: request, condition: condition, selected: selected)
    }

    @Test func batchFixturesAreFound() {
        let platforms = Set(Self.batches.map(\.request.fixture.dialect))
        let required: Set = ["functiongraph.smn", "functiongraph.kafka", "functiongraph.obs", "yandex.messagequeue", "cloudevents.batch"]
        #expect(platforms.isSuperset(of: required), "\(platforms.sorted())")
    }

    @Test(arguments: batches)
    func groupedBodyIsTheBatchCutDown(_ batch: BatchCase) async throws {
        let request = batch.request
        let folder = try RoutesFolder()
        try await StubFunction.withStub { stub in
            let routes = [RouteDeclaration(id: "first", topic: "first", when: batch.condition)]
            let first = FunctionDeclaration.http("first", url: stub.url, topics: ["first"], mode: "sync", body: "grouped")
            try folder.write("first.yaml", routeFile(routes: routes, functions: [first]))
            try await LiveGateway(folder).run { client in
                let response = try await client.send(.post, request.path, headers: request.headers, body: request.body)
                #expect(response.status == .ok)
                let expected = try Normalizer().normalize(request.event(receivedAt: nil))
                let cut = expected.groupedBody(keeping: batch.selected)
                #expect(cut.count < request.body.count)
                #expect(stub.requests.map(\.text) == [String(decoding: cut, as: UTF8.self)])
                // The cut body is still a batch of the same dialect, holding the selected messages.
                let headers = request.event(receivedAt: nil).headers
                let again = try Normalizer().normalize(IncomingEvent(body: cut, headers: headers, dialect: expected.dialect))
                #expect(again.envelopes.count == expected.groupedEnvelopes(keeping: batch.selected).count)
            }
        }
    }
}
