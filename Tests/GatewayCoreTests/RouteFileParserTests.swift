import Foundation
import GatewayCore
import Testing

struct RouteFileParserTests {
    /// A route file with one route whose `when` is `data.x: <value>`.
    static func routeFile(value: String) -> String {
        "routes:\n  - id: r\n    topic: t\n    when:\n      data.x: \(value)\n"
    }

    static func number(_ text: String) -> DecimalNumber { DecimalNumber(text)! }
    static func pattern(_ text: String) -> WildcardPattern { try! WildcardPattern(text) }

    /// Every value form and operator, and the test it becomes.
    @Test(arguments: [
        ("abc", FieldTest.equals(.string("abc"))),
        ("\"5\"", .equals(.string("5"))),
        ("'true'", .equals(.string("true"))),
        ("5", .equals(.number(number("5")))),
        ("-12.50", .equals(.number(number("-12.5")))),
        ("3.5e1", .equals(.number(number("35")))),
        ("0.1", .equals(.number(number("0.1")))),
        ("1e-300", .equals(.number(number("1e-300")))),
        ("123456789012345678901234567890.000000000000000000001", .equals(.number(number("123456789012345678901234567890.000000000000000000001")))),
        ("true", .equals(.bool(true))),
        ("False", .equals(.bool(false))),
        ("TRUE", .equals(.bool(true))),
        // Only true/false are booleans: these stay strings.
        ("NO", .equals(.string("NO"))),
        ("yes", .equals(.string("yes"))),
        ("off", .equals(.string("off"))),
        ("null", .equals(.null)),
        ("~", .equals(.null)),
        ("", .equals(.null)),
        ("\"\"", .equals(.string(""))),
        // No timestamps and no sexagesimal numbers: the text stays.
        ("2024-01-02", .equals(.string("2024-01-02"))),
        ("2024-01-02T03:04:05Z", .equals(.string("2024-01-02T03:04:05Z"))),
        ("12:30", .equals(.string("12:30"))),
        ("[a, 5, NO]", .anyOf([.equals(.string("a")), .equals(.number(number("5"))), .equals(.string("NO"))])),
        ("[a, {prefix: b}]", .anyOf([.equals(.string("a")), .prefix("b", ignoreCase: false)])),
        ("[x]", .anyOf([.equals(.string("x"))])),
        ("{prefix: \"//shop/\"}", .prefix("//shop/", ignoreCase: false)),
        ("{prefix: {ignore-case: Shop}}", .prefix("Shop", ignoreCase: true)),
        ("{suffix: .png}", .suffix(".png", ignoreCase: false)),
        ("{suffix: {ignore-case: .PNG}}", .suffix(".PNG", ignoreCase: true)),
        ("{wildcard: \"orders/*/eu-*\"}", .wildcard(pattern("orders/*/eu-*"))),
        ("{wildcard: 'a\\*b'}", .wildcard(pattern("a\\*b"))),
        ("{ignore-case: Straße}", .equalsIgnoreCase("Straße")),
        ("{not: [US, CA]}", .not(.anyOf([.equals(.string("US")), .equals(.string("CA"))]))),
        ("{not: US}", .not(.equals(.string("US")))),
        ("{not: {prefix: test-}}", .not(.prefix("test-", ignoreCase: false))),
        ("{gt: 100, le: 10000}", .numeric(NumericRange(lower: number("100"), lowerInclusive: false, upper: number("10000"), upperInclusive: true))),
        ("{ge: -1.5}", .numeric(NumericRange(lower: number("-1.5"), lowerInclusive: true))),
        ("{lt: 0.5}", .numeric(NumericRange(upper: number("0.5"), upperInclusive: false))),
        ("{le: 7, gt: 1}", .numeric(NumericRange(lower: number("1"), lowerInclusive: false, upper: number("7"), upperInclusive: true))),
        ("{eq: 5}", .numeric(NumericRange(lower: number("5"), lowerInclusive: true, upper: number("5"), upperInclusive: true))),
        ("{ge: 5, le: 5}", .numeric(NumericRange(lower: number("5"), lowerInclusive: true, upper: number("5"), upperInclusive: true))),
        ("{exists: true}", .exists(true)),
        ("{exists: false}", .exists(false)),
        ("{cidr: 10.0.0.0/8}", .cidr(CIDR("10.0.0.0/8")!)),
        ("{cidr: \"2001:db8::/32\"}", .cidr(CIDR("2001:db8::/32")!)),
        ("{prefix: a, suffix: z}", .allOf([.prefix("a", ignoreCase: false), .suffix("z", ignoreCase: false)])),
        // gt/lt merge into one range, at the place of the first of them.
        (
            "{prefix: a, gt: 1, suffix: z, lt: 9}",
            .allOf([
                .prefix("a", ignoreCase: false), .numeric(NumericRange(lower: number("1"), lowerInclusive: false, upper: number("9"), upperInclusive: false)),
                .suffix("z", ignoreCase: false),
            ])
        ),
        ("{not: {exists: true}}", .not(.exists(true))),
    ])
    func valueFormsParse(_ value: String, _ expected: FieldTest) throws {
        let result = RouteLoader.parse(yaml: Self.routeFile(value: value), file: "r.yaml")
        #expect(result.errors.isEmpty, "\(result.errors)")
        let route = try #require(result.routes.first)
        guard case .field(let field) = route.condition else {
            Issue.record("expected one field condition, got \(route.condition)")
            return
        }
        #expect(field.path == FieldPath(root: .data, keys: ["x"]))
        #expect(field.test == expected)
    }

    static func at(_ line: Int, _ column: Int, _ file: String = "r.yaml") -> GatewayCore.SourceLocation {
        GatewayCore.SourceLocation(file: file, line: line, column: column)
    }

    /// Groups nest, a mapping of several entries is an `all` at the mapping, one entry is itself.
    @Test func conditionsNestWithLocations() throws {
        let yaml = """
            routes:
              - id: r
                topic: t
                when:
                  type: a
                  data["client.ip"]: {cidr: 10.0.0.0/8}
                  'data["a b"].c': 1
                  any:
                    - subject: s
                    - tenant: acme
                      vip: true
                  none:
                    - data.test: true
                  all:
                    - source: x
            """
        let result = RouteLoader.parse(yaml: yaml, file: "r.yaml")
        #expect(result.errors.isEmpty, "\(result.errors)")
        let route = try #require(result.routes.first)
        func field(_ path: FieldPath, _ test: FieldTest, _ line: Int, _ column: Int) -> Condition {
            .field(FieldCondition(path: path, test: test, location: Self.at(line, column)))
        }
        let expected = Condition.all(
            [
                field(FieldPath(root: .attribute("type")), .equals(.string("a")), 5, 7),
                field(FieldPath(root: .data, keys: ["client.ip"]), .cidr(CIDR("10.0.0.0/8")!), 6, 7),
                field(FieldPath(root: .data, keys: ["a b", "c"]), .equals(.number(DecimalNumber(1))), 7, 7),
                .any(
                    [
                        field(FieldPath(root: .attribute("subject")), .equals(.string("s")), 9, 11),
                        .all(
                            [
                                field(FieldPath(root: .extension("tenant")), .equals(.string("acme")), 10, 11),
                                field(FieldPath(root: .extension("vip")), .equals(.bool(true)), 11, 11),
                            ], Self.at(10, 11)),
                    ], Self.at(8, 7)),
                .none([field(FieldPath(root: .data, keys: ["test"]), .equals(.bool(true)), 13, 11)], Self.at(12, 7)),
                .all([field(FieldPath(root: .attribute("source")), .equals(.string("x")), 15, 11)], Self.at(14, 7)),
            ], Self.at(5, 7))
        #expect(route.condition == expected)
    }

    @Test func routeKeysAndDefaults() throws {
        let yaml = """
            routes:
              - id: big-eu-orders
                description: Big orders from the EU
                enabled: false
                first_match: true
                topics: [orders.priority, audit]
                when: {type: a}
              - topic: t
                id: r2
                when: {type: b}
            """
        let result = RouteLoader.parse(yaml: yaml, file: "shop/orders.yaml")
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.routes.count == 2)
        let first = try #require(result.routes.first)
        #expect(first.id == "big-eu-orders")
        #expect(first.description == "Big orders from the EU")
        #expect(!first.enabled)
        #expect(first.firstMatch)
        #expect(first.topics == ["orders.priority", "audit"])
        #expect(first.group == "shop/orders.yaml")
        #expect(first.location == GatewayCore.SourceLocation(file: "shop/orders.yaml", line: 2, column: 5))
        let second = result.routes[1]
        #expect(second.enabled && !second.firstMatch && second.description == nil)
        #expect(second.topics == ["t"])
        // The location is the id's line, wherever id is written.
        #expect(second.location == GatewayCore.SourceLocation(file: "shop/orders.yaml", line: 9, column: 5))

        let grouped = RouteLoader.parse(yaml: "group: orders\n" + yaml, file: "shop/orders.yaml")
        #expect(grouped.routes.map(\.group) == ["orders", "orders"])
    }

    @Test func emptyAndNullRoutesAreAllowed() {
        for yaml in ["routes: []", "routes:\ntests:\n"] {
            let result = RouteLoader.parse(yaml: yaml, file: "r.yaml")
            #expect(result.errors.isEmpty && result.routes.isEmpty && result.tests.isEmpty, "\(yaml): \(result.errors)")
        }
    }

    @Test func testsParse() throws {
        let yaml = """
            routes: []
            tests:
              - name: eu order is priority
                event: ../fixtures/shop/./order.json
                dialect: functiongraph.smn
                headers: {Content-Type: application/cloudevents+json, X-Count: "3"}
                path: /api/v1/namespaces/_/triggers/t
                envelope: 0
                expect: [big-eu-orders, audit-all]
              - event: {type: a, data: {total: 1.50, n: [1, true, null, "x"], big: 1e400}}
                expect: none
              - event: [{type: a}, {type: b}]
                expect: {topics: [audit]}
              - event: /abs/event.json
                envelope: 2
                expect: {routes: [], topics: []}
            """
        let result = RouteFileParser.parse(yaml: yaml, file: "shop/orders.yaml", folder: "routes/shop")
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.tests.count == 4)
        let first = result.tests[0]
        #expect(first.name == "eu order is priority")
        guard case .file(let path) = first.event else {
            Issue.record("expected a file event")
            return
        }
        #expect(path == "routes/fixtures/shop/order.json")
        #expect(first.dialect == "functiongraph.smn")
        #expect(first.headers == ["Content-Type": "application/cloudevents+json", "X-Count": "3"])
        #expect(first.path == "/api/v1/namespaces/_/triggers/t")
        #expect(first.envelope == 0)
        #expect(first.expectedRoutes == ["big-eu-orders", "audit-all"])
        #expect(first.expectedTopics == nil)
        #expect(first.location == GatewayCore.SourceLocation(file: "shop/orders.yaml", line: 3, column: 5))

        let second = result.tests[1]
        guard case .inline(let json) = second.event else {
            Issue.record("expected an inline event")
            return
        }
        #expect(json.text == #"{"type":"a","data":{"total":1.50,"n":[1,true,null,"x"],"big":1e400}}"#)
        #expect(second.expectedRoutes == [] && second.expectedTopics == nil)
        #expect(second.envelope == nil && second.dialect == nil && second.headers == [])

        guard case .inline(let array) = result.tests[2].event else {
            Issue.record("expected an inline event")
            return
        }
        #expect(array.text == #"[{"type":"a"},{"type":"b"}]"#)
        #expect(result.tests[2].expectedRoutes == nil && result.tests[2].expectedTopics == ["audit"])

        guard case .file(let absolute) = result.tests[3].event else {
            Issue.record("expected a file event")
            return
        }
        #expect(absolute == "/abs/event.json")
        #expect(result.tests[3].envelope == 2)
        #expect(result.tests[3].expectedRoutes == [] && result.tests[3].expectedTopics == [])
    }

    @Test func eventPathsResolveAgainstTheFilesFolder() throws {
        let cases = [(".", "event.json", "event.json"), (".", "../x/e.json", "../x/e.json"), ("routes", "a//b/../e.json", "routes/a/e.json"),
                     ("/srv/routes/shop", "../../fixtures/e.json", "/srv/fixtures/e.json")]
        for (folder, relative, expected) in cases {
            let yaml = "routes: []\ntests:\n  - event: \(relative)\n    expect: none\n"
            let test = try #require(RouteFileParser.parse(yaml: yaml, file: "r.yaml", folder: folder).tests.first)
            guard case .file(let path) = test.event else {
                Issue.record("expected a file event")
                continue
            }
            #expect(path == expected)
        }
    }
}
