import Foundation
import GatewayCore
import GatewayTesting
import Testing

/// The example route files in `routes/` load, their `tests:` pass, and they cover every platform.
struct ExampleRoutesTests {
    static var directory: String { Fixtures.repository + "/routes" }

    static func load() throws -> RouteTable {
        do {
            return try RouteLoader.load(directory: directory)
        } catch {
            Issue.record("routes/ does not load:\n\(error)")
            throw error
        }
    }

    @Test func everyExampleTestPasses() throws {
        let table = try Self.load()
        let results = RouteTestRunner(table: table).run()
        #expect(!results.isEmpty, "routes/ has no tests")
        for result in results where !result.passed {
            Issue.record("\(result)")
        }
    }

    @Test func everyPlatformHasAnExample() throws {
        let table = try Self.load()
        let root = URL(fileURLWithPath: Fixtures.root).standardizedFileURL.path
        let referenced = table.tests.compactMap { test -> String? in
            guard case .file(let path) = test.event else { return nil }
            return URL(fileURLWithPath: path).standardizedFileURL.path
        }
        let platforms = try FileManager.default.contentsOfDirectory(atPath: root).filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        #expect(!platforms.isEmpty)
        for platform in platforms.sorted() {
            #expect(referenced.contains { $0.hasPrefix(root + "/" + platform + "/") }, "no test in routes/ uses an event of fixtures/\(platform)/")
        }
    }

    /// A fresh clone shows deliveries: every topic the example routes yield (disabled routes too) has a
    /// declared function, and every declared topic is one a route yields (no typo goes unnoticed).
    @Test func everyExampleTopicHasASubscriber() throws {
        let table = try Self.load()
        #expect(table.functions.count > 5)
        let subscriptions = try SubscriptionMap(functions: table.functions)
        let routed = Set(table.routes.flatMap(\.topics))
        #expect(!routed.isEmpty)
        for topic in routed.sorted() where subscriptions.functions(for: topic).isEmpty {
            Issue.record("no function in routes/ subscribes to \(topic)")
        }
        for function in table.functions {
            for topic in function.topics where !routed.contains(topic) {
                Issue.record("\(function.address) (\(function.location.map(String.init(describing:)) ?? "")) subscribes to \(topic), which no route yields")
            }
        }
        #expect(table.functions.allSatisfy { $0.target == .log }, "the examples run with no function behind them")
    }

    @Test func everyRouteIsExercised() throws {
        let table = try Self.load()
        let runner = RouteTestRunner(table: table)
        let expected = Set(table.tests.flatMap { $0.expectedRoutes ?? [] })
        let topics = Set(table.tests.flatMap { $0.expectedTopics ?? [] })
        for route in table.routes where route.enabled && !expected.contains(route.id) && route.topics.allSatisfy({ !topics.contains($0) }) {
            Issue.record("route \(route.id) (\(route.location)) is named by no test")
        }
        #expect(runner.run().count == table.tests.count)
    }
}
