extension RouteTable {
    /// The routes `envelope` matches and their topics.
    ///
    /// Disabled routes never match. When a route with `first_match` matches, later routes of its group
    /// are left out.
    public func match(_ envelope: Envelope) -> RouteMatch {
        let values = index.values(of: envelope)
        let (sure, unsure) = index.candidates(values)
        var evaluator: ConditionEvaluator?
        var matched: [Route] = []
        var stoppedGroups: [String] = []
        // Both lists ascend: merge them to keep table order (first_match depends on it).
        var (nextSure, nextUnsure) = (0, 0)
        while nextSure < sure.count || nextUnsure < unsure.count {
            let takeSure = nextUnsure == unsure.count || (nextSure < sure.count && sure[nextSure] < unsure[nextUnsure])
            let route = routes[takeSure ? sure[nextSure] : unsure[nextUnsure]]
            if takeSure { nextSure += 1 } else { nextUnsure += 1 }
            guard !stoppedGroups.contains(route.group) else { continue }
            if !takeSure {
                if evaluator == nil { evaluator = ConditionEvaluator(envelope: envelope, index: index, indexed: values) }
                guard evaluator!.holds(route.condition) else { continue }
            }
            matched.append(route)
            if route.firstMatch { stoppedGroups.append(route.group) }
        }
        var topics: [String] = []
        for route in matched {
            for topic in route.topics where !topics.contains(topic) { topics.append(topic) }
        }
        return RouteMatch(routes: matched, topics: topics)
    }
}
