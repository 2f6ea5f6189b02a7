extension RouteTable {
    /// The routes `envelope` matches and their topics.
    ///
    /// Disabled routes never match. When a route with `first_match` matches, later routes of its group
    /// are left out.
    public func match(_ envelope: Envelope) -> RouteMatch {
        let (sure, unsure) = index.candidates(envelope)
        var evaluator: ConditionEvaluator?
        var matched: [Int] = []
        var stoppedGroups: [String] = []
        // Both lists ascend: merge them to keep table order (first_match depends on it).
        var (nextSure, nextUnsure) = (0, 0)
        while nextSure < sure.count || nextUnsure < unsure.count {
            let takeSure = nextUnsure == unsure.count || (nextSure < sure.count && sure[nextSure] < unsure[nextUnsure])
            let position = Int(takeSure ? sure[nextSure] : unsure[nextUnsure])
            if takeSure { nextSure += 1 } else { nextUnsure += 1 }
            if !stoppedGroups.isEmpty, stoppedGroups.contains(routes[position].group) { continue }
            if !takeSure {
                if evaluator == nil { evaluator = ConditionEvaluator(envelope: envelope) }
                guard evaluator!.holds(routes[position].condition) else { continue }
            }
            matched.append(position)
            if routes[position].firstMatch { stoppedGroups.append(routes[position].group) }
        }
        return RouteMatch(table: self, positions: matched)
    }
}
