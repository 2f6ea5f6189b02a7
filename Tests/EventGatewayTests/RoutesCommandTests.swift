import Foundation
import GatewayCore
import GatewayTesting
import Testing

/// `event-gateway routes check|test|explain`, run as a user would.
struct RoutesCommandTests {
    /// A routes folder in a fresh temporary directory.
    static func folder(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("routes-cli-\(UUID().uuidString)").path
        for (name, text) in files {
            let url = URL(fileURLWithPath: path).appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return path
    }

    static let orders = """
        routes:
          - id: orders
            topic: orders.all
            when:
              type: com.example.order
          - id: big-orders
            topic: orders.big
            when:
              type: com.example.order
              data.total: {gt: 100}
        tests:
          - name: a big order
            event: {specversion: "1.0", id: "1", source: /shop, type: com.example.order, data: {total: 500}}
            expect: [orders, big-orders]
          - name: a small order
            event: {specversion: "1.0", id: "2", source: /shop, type: com.example.order, data: {total: 5}}
            expect: [orders, big-orders]
          - name: not an event
            event: {hello: world}
            expect: none
          - name: a missing file
            event: nowhere/event.json
            expect: none
        """

    /// Every topic of the example routes has a declared subscriber: no notes.
    @Test func checkReportsTheExampleRoutes() async throws {
        let run = try await CommandLineTests.run(["routes", "check"])
        #expect(run.status == 0, "\(run.error)")
        let table = try RouteLoader.load(directory: Fixtures.repository + "/routes")
        #expect(
            run.output
                == "ok: \(table.routes.count) routes, \(table.functions.count) functions, \(table.tests.count) tests in \(table.files.count) files\n")
        #expect(table.routes.count > 10 && table.functions.count > 5 && table.tests.count > 10)
    }

    static let functions = """
        functions:
          - name: orders
            namespace: shop
            target: log
            topics: [orders.all]
          - name: catch-all
            target: {http: "http://127.0.0.1:9/"}
            topic: "orders.*"
        """

    @Test func checkCountsRoutesFunctionsTestsAndFilesAndNotesUnsubscribedTopics() async throws {
        let folder = try Self.folder(["shop/orders.yaml": Self.orders, "empty.yaml": "routes: []\n", "functions.yaml": Self.functions])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try await CommandLineTests.run(["routes", "check", folder])
        #expect(run.status == 0, "\(run.error)")
        #expect(
            run.output == """
                ok: 2 routes, 2 functions, 4 tests in 3 files
                note: \(folder)/shop/orders.yaml:6:5: no declared function subscribes to topic "orders.big" (route big-orders)

                """)
        let wildcard = try await CommandLineTests.run(["routes", "check", folder, "--topic-matching", "wildcard"])
        #expect(wildcard.status == 0, "\(wildcard.error)")
        #expect(wildcard.output == "ok: 2 routes, 2 functions, 4 tests in 3 files\n")
    }

    @Test func checkRefusesAnInvalidWildcardSubscription() async throws {
        let folder = try Self.folder(["functions.yaml": "functions:\n  - name: a\n    target: log\n    topic: \"a**\"\n"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let exact = try await CommandLineTests.run(["routes", "check", folder])
        #expect(exact.status == 0, "\(exact.error)")
        #expect(exact.output == "ok: 0 routes, 1 function, 0 tests in 1 file\n")
        let wildcard = try await CommandLineTests.run(["routes", "check", folder, "--topic-matching", "wildcard"])
        #expect(wildcard.status == 1)
        #expect(wildcard.output.isEmpty)
        #expect(
            wildcard.error
                == "function a subscribes to \"a**\", which is not a valid wildcard: \"**\" is the same as \"*\"; write one star (declared at functions.yaml:2:5)\n")
    }

    @Test func checkPrintsEveryErrorWithItsLocation() async throws {
        let folder = try Self.folder([
            "bad.yaml": """
            routes:
              - id: orders
                topic: orders
                when:
                  type: {prefx: com.example.}
                  data.total: {gt: "5"}
            """
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try await CommandLineTests.run(["routes", "check", folder])
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        let lines = run.error.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(run.error)")
        #expect(lines.first?.contains("bad.yaml:5:") == true)
        #expect(lines.first?.contains("(hint: did you mean `prefix`?)") == true)
        #expect(lines.last?.contains("bad.yaml:6:") == true)
        #expect(lines.last?.contains("expected a number, found a string") == true)
    }

    @Test func testRunsTheExampleRoutes() async throws {
        let run = try await CommandLineTests.run(["routes", "test"])
        #expect(run.status == 0, "\(run.output)\(run.error)")
        let lines = run.output.split(separator: "\n")
        #expect(lines.count > 10)
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix("PASS ") })
        #expect(lines.last?.hasSuffix(" passed, 0 failed") == true)
    }

    @Test func testPrintsPassAndFailLines() async throws {
        let folder = try Self.folder(["shop/orders.yaml": Self.orders])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try await CommandLineTests.run(["routes", "test", folder])
        #expect(run.status == 1)
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(run.output)")
        #expect(lines[0].hasPrefix("PASS ") && lines[0].hasSuffix("orders.yaml:12 a big order"))
        #expect(lines[1].hasPrefix("FAIL ") && lines[1].hasSuffix("orders.yaml:15 a small order: expected routes [orders, big-orders], matched [orders]"))
        #expect(lines[2].hasPrefix("FAIL ") && lines[2].contains("orders.yaml:18 not an event: the event does not normalize: "))
        #expect(lines[3].hasPrefix("FAIL ") && lines[3].contains("orders.yaml:21 a missing file: cannot read the event file "))
        #expect(lines[3].hasSuffix("/shop/nowhere/event.json"))
        #expect(lines[4] == "1 passed, 3 failed")
    }

    @Test func testStopsOnLoadErrors() async throws {
        let folder = try Self.folder(["bad.yaml": "routes:\n  - id: x\n"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try await CommandLineTests.run(["routes", "test", folder])
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        #expect(run.error.contains("bad.yaml:2:"))
    }

    @Test func explainShowsEachRouteAndTheTopics() async throws {
        let run = try await CommandLineTests.run(["routes", "explain", "fixtures/functiongraph/obs/object-removed.json"])
        #expect(run.status == 0, "\(run.error)")
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("envelope 0 (functiongraph.obs): type com.huaweicloud.obs.ObjectRemoved:Delete") == true)
        #expect(lines.contains("  obs-deletions: matched"))
        #expect(lines.contains { $0.hasPrefix("  obs-media-uploads: not matched: type: expected starting with ") })
        #expect(lines.contains("  topics: media.audit, security.partner-writes"))
        #expect(lines.contains { $0.hasPrefix("envelope 1 (functiongraph.obs): ") })
    }

    @Test func explainTakesTheRequestContext() async throws {
        let folder = try Self.folder(["shop/orders.yaml": Self.orders])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try await CommandLineTests.run(
            ["routes", "explain", "-", "--dir", folder, "--header", "ce-specversion: 1.0", "--header", "ce-id: 7", "--header", "ce-source: /cli",
             "--header", "ce-type: com.example.order", "--header", "Content-Type: application/json", "--received-at", "2026-01-01T00:00:00Z"],
            input: "{\"total\": 42}")
        #expect(run.status == 0, "\(run.error)")
        #expect(
            run.output == """
                envelope 0 (cloudevents.binary): type com.example.order, source /cli, id 7
                  orders: matched
                  big-orders: not matched: data.total: expected a number > 100, found 42
                  topics: orders.all

                """)
        let bad = try await CommandLineTests.run(["routes", "explain", "-", "--dir", folder], input: "{\"hello\": 1}")
        #expect(bad.status == 1)
        #expect(bad.error.contains("no dialect matched the request"))
    }
}
