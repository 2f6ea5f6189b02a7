extension SubscriptionMap {
    /// The topics that enabled routes yield and no function here subscribes to, each once, in table
    /// order, with the first route that yields it.
    ///
    /// Not an error in a route file: OpenFaaS functions may subscribe at run time. `routes check`
    /// prints them as notes, so a typo in a topic shows before events go nowhere.
    public func unsubscribedTopics(of routes: [Route]) -> [(topic: String, route: Route)] {
        var seen: Set<String> = []
        var result: [(topic: String, route: Route)] = []
        for route in routes where route.enabled {
            for topic in route.topics where seen.insert(topic).inserted && positions(for: topic).isEmpty {
                result.append((topic, route))
            }
        }
        return result
    }
}
