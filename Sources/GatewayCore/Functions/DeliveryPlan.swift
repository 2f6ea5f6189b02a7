/// What to call for one request: which functions, with which of its envelopes, under which topics.
///
/// Pure: built from the routed topics of the request's envelopes and a ``SubscriptionMap``. The server
/// runs ``calls`` (each function's ``FunctionSpec/mode`` says whether the request waits for it) and
/// turns ``unsubscribed`` and ``unrouted`` into "no subscribers" results.
///
/// The connector-sdk calls a function once for every topic that matches it, one call after another:
/// a function subscribed to two topics of one message gets the message twice, and a batch of n
/// messages makes n calls in a row. Here each function is called once per envelope (CloudEvent
/// bodies, which carry one event) or once per request (the original body, or the batch cut down to
/// the envelopes it takes), and the calls of a plan are independent, so they can run concurrently.
public struct DeliveryPlan: Sendable, Hashable {
    /// In order of their first envelope, then of the functions in the map: deliveries follow the
    /// order events arrived in, and the map's order puts declared functions before discovered ones.
    public var calls: [PlannedCall]
    /// Every (envelope, topic) that no function subscribes to, in envelope then topic order. The
    /// connector-sdk drops such messages without a word (openfaas/connector-sdk#61); here each becomes a
    /// "no subscribers" result, so a broker or an operator can see what went nowhere.
    public var unsubscribed: [UnsubscribedTopic]
    /// Positions of the envelopes that matched no route (they yield no topic), ascending; "no
    /// subscribers" results too.
    public var unrouted: [Int]

    /// A plan as given (tests compare whole plans).
    public init(calls: [PlannedCall], unsubscribed: [UnsubscribedTopic] = [], unrouted: [Int] = []) {
        self.calls = calls
        self.unsubscribed = unsubscribed
        self.unrouted = unrouted
    }

    /// Plans the calls for envelopes whose topics are known.
    ///
    /// - Parameters:
    ///   - topics: Each envelope's topics, in envelope order (`RouteTable.match(_:).topics`).
    ///   - subscriptions: The functions and the topics they take.
    public init(topics: [[String]], subscriptions: SubscriptionMap) {
        var builder = Builder(subscriptions: subscriptions)
        for (envelope, envelopeTopics) in topics.enumerated() {
            builder.add(envelope: envelope, topics: envelopeTopics)
        }
        self.init(calls: builder.calls, unsubscribed: builder.unsubscribed, unrouted: builder.unrouted)
    }

    /// Routes `envelopes` through `table`, then plans the calls.
    ///
    /// - Parameters:
    ///   - envelopes: The envelopes of one request (one ``Normalization``), in order.
    ///   - table: The route table that gives each envelope its topics.
    ///   - subscriptions: The functions and the topics they take.
    public init(envelopes: [Envelope], table: RouteTable, subscriptions: SubscriptionMap) {
        self.init(topics: envelopes.map { table.match($0).topics }, subscriptions: subscriptions)
    }

    /// Whether nothing is called (every envelope unrouted or unsubscribed).
    public var isEmpty: Bool { calls.isEmpty }

    /// Gathers calls while the envelopes are walked in order.
    private struct Builder {
        /// A call is one function with one envelope, or with the whole request (`envelope` nil).
        struct Key: Hashable {
            var function: Int
            var envelope: Int?
        }

        let subscriptions: SubscriptionMap
        var open: [(first: Int, function: Int, call: PlannedCall)] = []
        var callByKey: [Key: Int] = [:]
        var unsubscribed: [UnsubscribedTopic] = []
        var unrouted: [Int] = []

        mutating func add(envelope: Int, topics: [String]) {
            guard !topics.isEmpty else {
                unrouted.append(envelope)
                return
            }
            for topic in topics {
                let positions = subscriptions.positions(for: topic)
                if positions.isEmpty { unsubscribed.append(UnsubscribedTopic(envelopeIndex: envelope, topic: topic)) }
                for position in positions {
                    let function = subscriptions.functions[position]
                    let key = Key(function: position, envelope: function.body.isPerEnvelope ? envelope : nil)
                    if let index = callByKey[key] {
                        open[index].call.add(topic: topic, envelope: envelope)
                    } else {
                        callByKey[key] = open.count
                        open.append((envelope, position, PlannedCall(function: function, topics: [topic], envelopeIndices: [envelope])))
                    }
                }
            }
        }

        /// By first envelope, then map order (topics met the functions in topic order).
        var calls: [PlannedCall] {
            open.sorted { ($0.first, $0.function) < ($1.first, $1.function) }.map(\.call)
        }
    }
}

/// One call of a ``DeliveryPlan``.
public struct PlannedCall: Sendable, Hashable {
    public var function: FunctionSpec
    /// The topics that selected the function, in first-seen order; the first is sent as `X-Topic`.
    public var topics: [String]
    /// The envelopes the call carries, ascending: one for CloudEvent bodies; for the original or
    /// grouped body, every envelope of the request that selected the function.
    public var envelopeIndices: [Int]

    /// A call of `function` for `envelopeIndices`, selected by `topics`.
    public init(function: FunctionSpec, topics: [String], envelopeIndices: [Int]) {
        self.function = function
        self.topics = topics
        self.envelopeIndices = envelopeIndices
    }

    /// The topic sent as `X-Topic`.
    public var topic: String { topics.first ?? "" }

    /// Several topics of one envelope that select the same function make one call, not one per topic.
    mutating func add(topic: String, envelope: Int) {
        if !topics.contains(topic) { topics.append(topic) }
        if envelopeIndices.last != envelope { envelopeIndices.append(envelope) }
    }
}

/// A topic of an envelope that no function subscribes to: a "no subscribers" result.
public struct UnsubscribedTopic: Sendable, Hashable {
    public var envelopeIndex: Int
    public var topic: String

    /// `topic` of the envelope at `envelopeIndex`.
    public init(envelopeIndex: Int, topic: String) {
        self.envelopeIndex = envelopeIndex
        self.topic = topic
    }
}
