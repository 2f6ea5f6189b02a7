import GatewayCore
import GatewayDelivery
import Logging

/// Turns one normalized request into calls: plans which functions get which envelopes, calls the sync
/// ones and waits, queues the async ones, and reports the topics nobody takes.
struct Dispatcher: Sendable {
    let routes: RouteTableStore
    let subscriptions: SubscriptionStore
    let invoker: Invoker
    let queue: any DeliveryQueue

    /// What became of one request's envelopes.
    struct Report: Sendable {
        var envelopeIDs: [String]
        /// Async invocations stored by the queue.
        var queued: [Invocation] = []
        /// Async invocations the queue had already within its deduplication window (a re-sent event):
        /// acknowledged, not stored again.
        var duplicates = 0
        /// Sync invocations and their results, in plan order.
        var results: [InvocationResult] = []
        /// Topics (or envelopes without a route) that no function takes.
        var unsubscribed = 0

        /// Whether any function was called or queued (now or, for a re-sent event, before).
        var isEmpty: Bool { queued.isEmpty && duplicates == 0 && results.isEmpty }
    }

    /// Plans and delivers `normalization`.
    ///
    /// - Parameters:
    ///   - normalization: The request's envelopes.
    ///   - event: The request, whose body `original` and `grouped` functions receive.
    ///   - skipping: Plan positions left out of delivery because the caller answers with them (the
    ///     APIG responder).
    /// - Throws: ``QueueFullError`` when the queue cannot take the async calls, or the store's error when
    ///   it failed (none is queued then).
    func deliver(_ normalization: Normalization, from event: IncomingEvent, skipping skipped: Set<Int> = []) async throws -> Report {
        let plan = self.plan(normalization)
        return try await deliver(plan, normalization, from: event, skipping: skipped)
    }

    func plan(_ normalization: Normalization) -> DeliveryPlan {
        let table = routes.table
        return DeliveryPlan(envelopes: normalization.envelopes, table: table, subscriptions: subscriptions.map(for: table))
    }

    func deliver(_ plan: DeliveryPlan, _ normalization: Normalization, from event: IncomingEvent, skipping skipped: Set<Int> = []) async throws -> Report {
        var report = Report(envelopeIDs: normalization.envelopes.map(\.id))
        var sync: [Invocation] = []
        var async: [Invocation] = []
        for (position, call) in plan.calls.enumerated() where !skipped.contains(position) {
            let invocations = Self.invocations(call, normalization, event)
            if call.function.mode == .sync { sync += invocations } else { async += invocations }
        }
        async = Self.distinct(async)
        if !async.isEmpty {
            let receipt = try await queue.enqueue(async)
            let stored = Set(receipt.stored)
            report.queued = async.filter { stored.contains($0.id) }
            report.duplicates = receipt.duplicates.count
        }
        let unsubscribed = Self.unsubscribedResults(plan, normalization)
        report.unsubscribed = unsubscribed.count
        if !unsubscribed.isEmpty { await invoker.report(unsubscribed) }
        if !sync.isEmpty { report.results = await invoker.invokeAll(sync) }
        return report
    }

    /// The invocations of one planned call: the envelopes it selected and, for `original` and
    /// `grouped` functions, the body they receive.
    static func invocations(_ call: PlannedCall, _ normalization: Normalization, _ event: IncomingEvent) -> [Invocation] {
        var indices = call.envelopeIndices
        var payload: Invocation.Payload?
        switch call.function.body {
        case .original:
            payload = Invocation.Payload(bytes: event.body, contentType: event.contentType)
        case .grouped:
            payload = Invocation.Payload(bytes: normalization.groupedBody(keeping: indices), contentType: event.contentType)
            // A batch element may carry more envelopes than the function asked for: report what it gets.
            indices = normalization.groupedEnvelopes(keeping: indices)
        case .cloudevent, .binary:
            break
        }
        let envelopes = indices.map { normalization.envelopes[$0] }
        return Invocation.deliveries(to: call.function, topics: call.topics, envelopes: envelopes, payload: payload)
    }

    /// Envelopes of one request may share a source and an id (Yandex messages sometimes do) and still be
    /// different events: their calls get distinct ids, numbered in order (`ID-2`, `ID-3`...), so that the
    /// store's deduplication takes none of them for a re-send of another. A re-sent request numbers them
    /// the same way and is still recognised.
    static func distinct(_ invocations: [Invocation]) -> [Invocation] {
        guard invocations.count > 1 else { return invocations }
        var seen: [String: Int] = [:]
        return invocations.map { invocation in
            var invocation = invocation
            let count = seen[invocation.id, default: 0] + 1
            seen[invocation.id] = count
            if count > 1 { invocation.id += "-\(count)" }
            return invocation
        }
    }

    /// One "no subscribers" result per topic nobody takes, and one per envelope no route matched.
    static func unsubscribedResults(_ plan: DeliveryPlan, _ normalization: Normalization) -> [InvocationResult] {
        plan.unsubscribed.map { InvocationResult.noSubscribers(topics: [$0.topic], envelopeIDs: [normalization.envelopes[$0.envelopeIndex].id]) }
            + plan.unrouted.map { InvocationResult.noSubscribers(topics: [], envelopeIDs: [normalization.envelopes[$0].id]) }
    }

    /// Calls one function by its address (`name.namespace`, or a name only one function has) with the
    /// request's body as it came: `/function/{name}` and extremum direct calls.
    ///
    /// - Returns: The result, or nil when no function has that name.
    func invoke(named address: String, event: IncomingEvent, envelopes: [Envelope] = []) async -> InvocationResult? {
        guard let function = function(named: address) else { return nil }
        return await invoke(function, event: event, envelopes: envelopes)
    }

    /// The function a call by name reaches (`name.namespace`, or a name only one function has).
    func function(named address: String) -> FunctionSpec? {
        subscriptions.map(for: routes.table).function(named: address)
    }

    /// Calls `function` with the request's body as it came.
    func invoke(_ function: FunctionSpec, event: IncomingEvent, envelopes: [Envelope] = []) async -> InvocationResult {
        var function = function
        // A call by name passes the body through, whatever the function takes from triggers.
        function.body = .original
        let invocation = Invocation(
            function: function, topics: [], envelopes: envelopes, payload: Invocation.Payload(bytes: event.body, contentType: event.contentType))
        return await invoker.invoke(invocation)
    }
}
