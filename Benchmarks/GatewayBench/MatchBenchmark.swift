import Foundation
import GatewayCore
import GatewayTesting

/// `GatewayBench match`: route matching throughput on the fixture envelopes.
///
/// Tables of 10, 1,000 and 10,000 routes: ten routes built from values the fixtures carry (so events
/// match), the rest synthetic tenants' routes that mix exact, prefix, suffix, wildcard and numeric
/// conditions with values no fixture has, as a large multi-tenant table would. The synthetic routes
/// test the same fields as the first ten, so the tables differ in routes only, not in fields: the
/// index's cost follows distinct fields by design, and this measures what the route count costs.
func matchBenchmark(_ options: Options) throws {
    let envelopes = try Fixtures.valid().flatMap { (try? Normalizer().normalize($0.event))?.envelopes ?? [] }
    guard !envelopes.isEmpty else { fatalError("no fixture envelopes under \(Fixtures.root)") }
    let budget = Duration.milliseconds(options.milliseconds)
    print("route matching, \(envelopes.count) fixture envelopes, medians of \(options.rounds) rounds of \(options.milliseconds) ms, one thread")
    print(row(["routes", "events/s", "matches/event", "vs 10 routes"]))
    var baseline: Double?
    for size in [10, 1000, 10_000] {
        let table = try RouteTable(routes: MatchRoutes.table(size: size))
        let matches = envelopes.reduce(0) { $0 + table.match($1).positions.count }
        var rates: [Double] = []
        // Read in place: a copied envelope would add a retain and release per field to each match.
        envelopes.withUnsafeBufferPointer { envelopes in
            for _ in 0..<options.rounds {
                rates.append(measure(envelopes.count, budget) { table.match((envelopes.baseAddress! + $0).pointee).positions.count }.rate)
            }
        }
        let rate = median(rates)
        baseline = baseline ?? rate
        print(row([String(size), String(Int(rate)), String(format: "%.2f", Double(matches) / Double(envelopes.count)),
                   String(format: "%.2fx slower", baseline! / rate)]))
    }
}

/// The generated route tables.
enum MatchRoutes {
    static let location = SourceLocation(file: "bench.yaml", line: 1, column: 1)

    static func field(_ path: String, _ test: FieldTest) -> Condition {
        .field(FieldCondition(path: try! FieldPath(parsing: path), test: test, location: location))
    }

    static func route(_ id: String, _ conditions: [Condition]) -> Route {
        Route(id: id, topics: ["topic." + id], group: "bench", condition: conditions.count == 1 ? conditions[0] : .all(conditions, location), location: location)
    }

    /// Ten routes that fixtures match, then synthetic ones up to `size`.
    static func table(size: Int) -> [Route] {
        var routes = [
            route("smn", [field("type", .prefix("com.huaweicloud.smn", ignoreCase: false))]),
            route("obs-created", [field("type", .wildcard(try! WildcardPattern("com.huaweicloud.obs.ObjectCreated:*"))), field("bucket", .exists(true))]),
            route("yandex-storage", [field("platform", .equals(.string("yandex"))), field("trigger", .equals(.string("storage")))]),
            route("images", [field("subject", .suffix(".jpg", ignoreCase: true))]),
            route("kafka", [field("type", .equals(.string("com.huaweicloud.dms.kafka.message"))), field("batchindex", .numeric(NumericRange(upper: DecimalNumber(2))))]),
            route("eu", [field("region", .anyOf([.equals(.string("eu-de")), .prefix("eu-", ignoreCase: false)]))]),
            route("apig-post", [field("httpmethod", .equalsIgnoreCase("post"))]),
            route("cloudevents", [field("source", .prefix("/", ignoreCase: false)), field("platform", .exists(false))]),
            route("big-orders", [field("data.total", .numeric(NumericRange(lower: DecimalNumber(100), lowerInclusive: false)))]),
            route("timers", [field("type", .suffix(".timer", ignoreCase: false))]),
        ]
        var index = 0
        while routes.count < size {
            let tenant = "tenant-\(index)"
            let condition: [Condition] =
                switch index % 6 {
                case 0: [field("type", .equals(.string("com.example.\(tenant).created")))]
                case 1: [field("source", .prefix("/tenants/\(tenant)/", ignoreCase: false)), field("type", .prefix("com.example", ignoreCase: false))]
                case 2: [field("subject", .suffix(".\(tenant).bak", ignoreCase: false))]
                case 3: [field("subject", .wildcard(try! WildcardPattern("jobs/\(tenant)/*/output-*.log")))]
                case 4: [field("data.total", .numeric(NumericRange(lower: DecimalNumber(1_000_000 + index * 10), upper: DecimalNumber(1_000_000 + index * 10 + 5))))]
                default: [field("region", .equals(.string("region-\(index)"))), field("type", .anyOf([.equals(.string("com.example.\(tenant).updated")), .prefix("com.example.\(tenant).", ignoreCase: false)]))]
                }
            routes.append(route("synthetic-\(index)", condition))
            index += 1
        }
        return routes
    }
}
