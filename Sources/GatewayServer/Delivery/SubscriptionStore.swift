import GatewayCore
import GatewayDelivery
import Logging
import Synchronization

/// The subscription map in use: the functions the route table declares, then the ones discovered on
/// OpenFaaS, under the configured topic matching.
///
/// Rebuilt when either source changes (a new table, a new discovered list); a map that cannot be built
/// (an invalid wildcard topic) is logged and the last good one stays.
final class SubscriptionStore: Sendable {
    let matching: TopicMatching
    let discovery: OpenFaaSDiscovery?
    let logger: Logger

    private struct Cached {
        var table: ObjectIdentifier?
        var discoveryVersion: Int
        var map: SubscriptionMap
    }

    private let cached: Mutex<Cached>

    init(matching: TopicMatching, discovery: OpenFaaSDiscovery?, logger: Logger) {
        self.matching = matching
        self.discovery = discovery
        self.logger = logger
        self.cached = Mutex(Cached(table: nil, discoveryVersion: -1, map: .empty))
    }

    /// The map for `table` and the current discovered functions.
    func map(for table: RouteTable) -> SubscriptionMap {
        let key = ObjectIdentifier(table)
        let version = discovery?.status.version ?? 0
        if let map = cached.withLock({ $0.table == key && $0.discoveryVersion == version ? $0.map : nil }) { return map }
        let functions = table.functions + (discovery?.functions ?? [])
        do {
            let map = try SubscriptionMap(functions: functions, matching: matching)
            cached.withLock { $0 = Cached(table: key, discoveryVersion: version, map: map) }
            return map
        } catch {
            logger.error("subscriptions not rebuilt, keeping the last good ones", metadata: ["error": "\(error)"])
            return cached.withLock { $0.map }
        }
    }
}
