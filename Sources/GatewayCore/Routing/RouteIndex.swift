/// Finds the routes worth evaluating for an envelope.
struct RouteIndex: Sendable {
    /// How many alternatives a route's `any` groups may expand to before the index stops splitting them.
    static let maximumAlternatives = 256

    let routeCount: Int

    init(routes: [Route]) throws(RouteErrors) {
        routeCount = routes.count
    }

    /// Positions of the routes that may match, ascending.
    func candidates(for envelope: Envelope, values: inout ConditionEvaluator) -> [Int] {
        Array(0..<routeCount)
    }
}
