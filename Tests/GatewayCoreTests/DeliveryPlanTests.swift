import GatewayCore
import Testing

/// What one request calls: per-envelope and per-request bodies, batches, several topics, and the
/// envelopes nothing takes. Every test compares whole plans.
struct DeliveryPlanTests {
    // Map order: original, cloudevent, binary, grouped.
    static let original = FunctionSpec(name: "original", target: .log, topics: ["orders", "audit"])
    static let cloudevent = FunctionSpec(name: "cloudevent", target: .log, topics: ["orders"], body: .cloudevent)
    static let binary = FunctionSpec(name: "binary", namespace: "ce", target: .cloudevents(sink: "http://sink"), topics: ["orders", "audit"], body: .binary)
    static let grouped = FunctionSpec(name: "grouped", target: .log, topics: ["orders"], mode: .sync, body: .grouped)
    static let map = try! SubscriptionMap(functions: [original, cloudevent, binary, grouped])

    static func call(_ function: FunctionSpec, _ topics: [String], _ envelopes: [Int]) -> PlannedCall {
        PlannedCall(function: function, topics: topics, envelopeIndices: envelopes)
    }

    @Test func oneEnvelopeWithSeveralTopicsCallsEachFunctionOnce() {
        let plan = DeliveryPlan(topics: [["orders", "audit"]], subscriptions: Self.map)
        #expect(
            plan
                == DeliveryPlan(calls: [
                    Self.call(Self.original, ["orders", "audit"], [0]),
                    Self.call(Self.cloudevent, ["orders"], [0]),
                    Self.call(Self.binary, ["orders", "audit"], [0]),
                    Self.call(Self.grouped, ["orders"], [0]),
                ]))
        #expect(plan.calls.map(\.topic) == ["orders", "orders", "orders", "orders"])
        #expect(!plan.isEmpty)
    }

    /// Topics meet functions in topic order, but calls follow the map; each call's topics keep first-seen order.
    @Test func callsFollowTheMapNotTheTopics() {
        let plan = DeliveryPlan(topics: [["audit", "orders"]], subscriptions: Self.map)
        #expect(
            plan
                == DeliveryPlan(calls: [
                    Self.call(Self.original, ["audit", "orders"], [0]),
                    Self.call(Self.cloudevent, ["orders"], [0]),
                    Self.call(Self.binary, ["audit", "orders"], [0]),
                    Self.call(Self.grouped, ["orders"], [0]),
                ]))
        #expect(plan.calls.map(\.topic) == ["audit", "orders", "audit", "orders"])
    }

    /// A batch: CloudEvent bodies make a call per envelope; original and grouped one per request with
    /// every envelope that selected the function; unrouted envelopes and unsubscribed topics are listed.
    @Test func aBatchGroupsPerRequestAndSplitsPerEnvelope() {
        let plan = DeliveryPlan(topics: [["orders"], [], ["audit", "billing"], ["orders"]], subscriptions: Self.map)
        #expect(
            plan
                == DeliveryPlan(
                    calls: [
                        Self.call(Self.original, ["orders", "audit"], [0, 2, 3]),
                        Self.call(Self.cloudevent, ["orders"], [0]),
                        Self.call(Self.binary, ["orders"], [0]),
                        Self.call(Self.grouped, ["orders"], [0, 3]),
                        Self.call(Self.binary, ["audit"], [2]),
                        Self.call(Self.cloudevent, ["orders"], [3]),
                        Self.call(Self.binary, ["orders"], [3]),
                    ],
                    unsubscribed: [UnsubscribedTopic(envelopeIndex: 2, topic: "billing")],
                    unrouted: [1]))
    }

    /// By first envelope, then map order: a per-request call opened by envelope 0 comes before the
    /// calls envelope 1 opens, whatever the functions' places in the map.
    @Test func callsAreOrderedByFirstEnvelope() {
        let plan = DeliveryPlan(topics: [["audit"], ["orders"]], subscriptions: Self.map)
        #expect(
            plan
                == DeliveryPlan(calls: [
                    Self.call(Self.original, ["audit", "orders"], [0, 1]),
                    Self.call(Self.binary, ["audit"], [0]),
                    Self.call(Self.cloudevent, ["orders"], [1]),
                    Self.call(Self.binary, ["orders"], [1]),
                    Self.call(Self.grouped, ["orders"], [1]),
                ]))
    }

    @Test func nothingSubscribedOrNothingRouted() {
        let plan = DeliveryPlan(topics: [["billing", "refunds"], [], ["billing"]], subscriptions: Self.map)
        #expect(
            plan
                == DeliveryPlan(
                    calls: [],
                    unsubscribed: [
                        UnsubscribedTopic(envelopeIndex: 0, topic: "billing"), UnsubscribedTopic(envelopeIndex: 0, topic: "refunds"),
                        UnsubscribedTopic(envelopeIndex: 2, topic: "billing"),
                    ],
                    unrouted: [1]))
        #expect(plan.isEmpty)
        #expect(DeliveryPlan(topics: [], subscriptions: Self.map) == DeliveryPlan(calls: []))
        #expect(DeliveryPlan(topics: [["orders"]], subscriptions: .empty) == DeliveryPlan(calls: [], unsubscribed: [UnsubscribedTopic(envelopeIndex: 0, topic: "orders")]))
    }

    /// From a request: normalize a CloudEvents batch, route it through a table, plan.
    @Test func aNormalizedBatchThroughARouteTable() throws {
        let file = RouteLoader.parseFile(
            yaml: """
                routes:
                  - id: orders
                    topic: orders
                    when: {type: com.example.order}
                  - id: big
                    topics: [orders, audit]
                    when: {type: com.example.order, data.total: {gt: 100}}
                """, file: "r.yaml")
        #expect(file.errors.isEmpty)
        let table = try RouteTable(routes: file.routes)
        let batch = """
            [{"specversion": "1.0", "id": "1", "source": "/shop", "type": "com.example.order", "data": {"total": 500}},
             {"specversion": "1.0", "id": "2", "source": "/shop", "type": "com.example.ping"},
             {"specversion": "1.0", "id": "3", "source": "/shop", "type": "com.example.order", "data": {"total": 5}}]
            """
        let normalization = try Normalizer().normalize(
            IncomingEvent(body: Array(batch.utf8), headers: ["Content-Type": "application/cloudevents-batch+json"]))
        #expect(normalization.envelopes.map(\.id) == ["1", "2", "3"])
        let plan = DeliveryPlan(envelopes: normalization.envelopes, table: table, subscriptions: Self.map)
        #expect(
            plan
                == DeliveryPlan(
                    calls: [
                        Self.call(Self.original, ["orders", "audit"], [0, 2]),
                        Self.call(Self.cloudevent, ["orders"], [0]),
                        Self.call(Self.binary, ["orders", "audit"], [0]),
                        Self.call(Self.grouped, ["orders"], [0, 2]),
                        Self.call(Self.cloudevent, ["orders"], [2]),
                        Self.call(Self.binary, ["orders"], [2]),
                    ],
                    unrouted: [1]))
    }
}
