extension RouteTable {
    /// The routes `envelope` matches and their topics.
    ///
    /// Disabled routes never match. When a route with `first_match` matches, later routes of its group
    /// are left out.
    public func match(_ envelope: Envelope) -> RouteMatch {
        let values = index.values(of: envelope)
        let candidates = index.candidates(values)
        var evaluator = ConditionEvaluator(envelope: envelope, index: index, indexed: values)
        var matched: [Route] = []
        var stoppedGroups: Set<String> = []
        for position in candidates {
            let route = routes[position]
            guard route.enabled, !stoppedGroups.contains(route.group), evaluator.holds(route.condition) else { continue }
            matched.append(route)
            if route.firstMatch { stoppedGroups.insert(route.group) }
        }
        var topics: [String] = []
        var seen: Set<String> = []
        for route in matched {
            for topic in route.topics where seen.insert(topic).inserted { topics.append(topic) }
        }
        return RouteMatch(routes: matched, topics: topics)
    }
}
