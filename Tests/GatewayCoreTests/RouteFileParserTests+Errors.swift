import GatewayCore
import Testing

/// A route file and the exact error lines it must produce.
struct RouteFileErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var expected: [String]

    init(_ name: String, _ yaml: String, _ expected: [String]) {
        self.name = name
        self.yaml = yaml
        self.expected = expected
    }

    var testDescription: String { name }

    /// Expects exactly the error lines of this case, showing the actual ones when they differ.
    func expectLines(_ errors: [RouteError]) {
        let lines = errors.map(\.description)
        #expect(lines == expected, Comment(rawValue: "\n" + lines.joined(separator: "\n")))
        #expect(!expected.isEmpty)
    }
}

extension RouteFileParserTests {
    static let valid = "valid keys: id, description, enabled, first_match, topic, topics, when"
    static let operatorList = "valid operators: prefix, suffix, wildcard, ignore-case, not, gt, ge, lt, le, eq, exists, cidr"

    static let errorCases: [RouteFileErrorCase] = [
        RouteFileErrorCase(
            "misspelled file key",
            "rotues: []\n",
            [
                "r.yaml:1:1: unknown key \"rotues\" at the top of the file; valid keys: group, routes, tests, functions (hint: did you mean `routes`?)",
                "r.yaml:1:1: missing \"routes\" (the list of routes; write routes: [] for none)",
            ]),
        RouteFileErrorCase(
            "route keys at file level",
            """
            routes:
            id: a
            topic: t
            when: {type: a}
            """,
            [
                "r.yaml:2:1: unknown key \"id\" at the top of the file; valid keys: group, routes, tests, functions (hint: `routes:` is a list: start each route with `- id:`)",
                "r.yaml:3:1: unknown key \"topic\" at the top of the file; valid keys: group, routes, tests, functions (hint: `routes:` is a list: start each route with `- id:`)",
                "r.yaml:4:1: unknown key \"when\" at the top of the file; valid keys: group, routes, tests, functions (hint: `routes:` is a list: start each route with `- id:`)",
            ]),
        RouteFileErrorCase(
            "misspelled route key",
            """
            routes:
              - id: a
                topic: t
                firstMatch: true
                when: {type: a}
            """,
            ["r.yaml:4:5: unknown key \"firstMatch\" in a route; \(valid) (hint: did you mean `first_match`?)"]),
        RouteFileErrorCase(
            "conditions at route level",
            """
            routes:
              - id: a
                topic: t
                type: com.shop.order.created
                data.total: {gt: 5}
                tenant: acme
                when: {source: x}
            """,
            [
                "r.yaml:4:5: unknown key \"type\" in a route; \(valid) (hint: conditions go under `when:`)",
                "r.yaml:5:5: unknown key \"data.total\" in a route; \(valid) (hint: conditions go under `when:`)",
                "r.yaml:6:5: unknown key \"tenant\" in a route; \(valid) (hint: conditions go under `when:`)",
            ]),
        RouteFileErrorCase(
            "route key inside when",
            """
            routes:
              - id: a
                when:
                  type: a
                  topics: [b]
            """,
            [
                "r.yaml:2:5: missing \"topic\" (or \"topics\", a list): where matching events go (hint: mis-indented? `topics` at r.yaml:5:7 is inside `when`, where it tests an extension of that name)",
            ]),
        RouteFileErrorCase(
            "route key inside a group",
            """
            routes:
              - id: a
                topic: t
                when:
                  any:
                    - type: a
                      enabled: false
            """,
            ["r.yaml:7:11: \"enabled\" is a route key, not a condition (hint: mis-indented? `enabled` belongs to the route, not to `any`)"]),
        RouteFileErrorCase(
            "wrong types",
            """
            routes:
              - id: 2024
                topic: [a]
                description: {x: 1}
                when: [type]
              - id: b
                topics: [a, 5]
                first_match: null
                when: {any: {type: a}}
            """,
            [
                "r.yaml:2:9: id: expected a string, found a number (hint: quote it to make it a string: id: \"2024\")",
                "r.yaml:3:12: topic: expected a string, found a sequence",
                "r.yaml:4:18: description: expected a string, found a mapping",
                "r.yaml:5:11: when: expected a mapping of conditions, found a sequence",
                "r.yaml:7:17: topics: expected a string, found a number (hint: quote it to make it a string: topics: \"5\")",
                "r.yaml:8:18: first_match: expected true or false, found null",
                "r.yaml:9:17: any: expected a sequence of condition mappings, found a mapping (hint: write each member as a list item: `- type: ...`)",
            ]),
        RouteFileErrorCase(
            "only true and false are booleans",
            """
            routes:
              - id: a
                topic: t
                enabled: yes
                when:
                  data.country: NO
                  data.flag: {exists: on}
            """,
            [
                "r.yaml:4:14: enabled: expected true or false, found a string (hint: only true and false are booleans in route files; yes, no, on and off are strings)",
                "r.yaml:7:27: exists: expected true or false, found a string (hint: only true and false are booleans in route files; yes, no, on and off are strings)",
            ]),
        RouteFileErrorCase(
            "invalid id",
            """
            routes:
              - id: big orders
                topic: t
                when: {type: a}
              - id: -x
                topic: t
                when: {type: a}
            """,
            [
                "r.yaml:2:9: id \"big orders\" is not valid: use letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit",
                "r.yaml:5:9: id \"-x\" is not valid: use letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit",
            ]),
        RouteFileErrorCase(
            "unknown operators",
            """
            routes:
              - id: a
                topic: t
                when:
                  subject: {glob: "a*"}
                  source: {prefx: x}
                  data: {total: {gt: 5}}
                  type: {between: [1, 2]}
                  data.text: {regex: "^a"}
                  data.name: {prefix: {ignore_case: a}}
            """,
            [
                "r.yaml:5:17: unknown operator \"glob\"; \(operatorList) (hint: write wildcard)",
                "r.yaml:6:16: unknown operator \"prefx\"; \(operatorList) (hint: did you mean `prefix`?)",
                "r.yaml:7:14: unknown operator \"total\"; \(operatorList) (hint: to test a member, write its path as the key: `data.total`)",
                "r.yaml:8:14: unknown operator \"between\"; \(operatorList)",
                "r.yaml:9:19: unknown operator \"regex\"; \(operatorList) (hint: regular expressions are not supported; use wildcard)",
                "r.yaml:10:27: prefix: expected a string or {ignore-case: string} (hint: did you mean `ignore-case`?)",
            ]),
        RouteFileErrorCase(
            "bad numbers",
            """
            routes:
              - id: a
                topic: t
                when:
                  data.a: 0x1F
                  data.b: .inf
                  data.c: 007
                  data.d: {gt: "5"}
                  data.e: {lt: 1_000}
                  data.f: {eq: -.nan}
                  data.g: {ge: abc}
            """,
            [
                "r.yaml:5:15: 0x1F is not a finite decimal number (hint: quote it to match the text: \"0x1F\")",
                "r.yaml:6:15: .inf is not a finite decimal number",
                "r.yaml:7:15: 007 is not a finite decimal number (hint: quote it to match the text: \"007\")",
                "r.yaml:8:20: gt: expected a number, found a string (hint: remove the quotes: gt: 5)",
                "r.yaml:9:20: 1_000 is not a finite decimal number (hint: quote it to match the text: \"1_000\")",
                "r.yaml:10:20: eq: expected a number, found a string",
                "r.yaml:11:20: ge: expected a number, found a string",
            ]),
        RouteFileErrorCase(
            "bad wildcards",
            """
            routes:
              - id: a
                topic: t
                when:
                  subject: {wildcard: "a**b"}
                  source: {wildcard: "*a*b*c*d*e*f*g*h*"}
                  type: {wildcard: 'a\\b'}
            """,
            [
                "r.yaml:5:27: wildcard: \"**\" is the same as \"*\"; write one star",
                "r.yaml:6:26: wildcard: the pattern has 9 stars; at most 8 are allowed, as every star multiplies matching cost across the route table",
                "r.yaml:7:24: wildcard: a backslash in a wildcard must escape \"*\" or \"\\\\\"",
            ]),
        RouteFileErrorCase(
            "bad networks",
            """
            routes:
              - id: a
                topic: t
                when:
                  data.ip: {cidr: 10.0.0.0/33}
                  data.ip6: {cidr: "2001:db8::/129"}
                  data.host: {cidr: example.com}
            """,
            [
                "r.yaml:5:23: \"10.0.0.0/33\" is not a network like 10.0.0.0/8 or 2001:db8::/32",
                "r.yaml:6:24: \"2001:db8::/129\" is not a network like 10.0.0.0/8 or 2001:db8::/32",
                "r.yaml:7:25: \"example.com\" is not a network like 10.0.0.0/8 or 2001:db8::/32",
            ]),
        RouteFileErrorCase(
            "bad paths, at the offending character",
            """
            routes:
              - id: a
                topic: t
                when:
                  data..x: 1
                  data[0]: 1
                  'data["a.b"': 1
                  Type: a
                  data.total.: 1
                  type.name: 1
            """,
            [
                "r.yaml:5:12: expected a key after \".\"; quote keys with dots or spaces as [\"a.b\"]",
                "r.yaml:6:12: expected a quoted key like [\"a.b\"] (array positions are not addressed: a path reaches every element)",
                "r.yaml:7:18: expected \"]\" after the quoted key",
                "r.yaml:8:7: \"Type\" is neither an attribute (datacontenttype, dataschema, id, source, specversion, subject, time, type) nor an extension name (lower-case a-z and digits); payload paths start with data. (hint: did you mean `type`?)",
                "r.yaml:9:18: expected a key after \".\"; quote keys with dots or spaces as [\"a.b\"]",
                "r.yaml:10:11: only data has members: \"type\" is an attribute or extension, write data.type... for the payload",
            ]),
        RouteFileErrorCase(
            "empty when, missing keys, topic and topics",
            """
            routes:
              - id: a
                topic: t
                when: {}
              - description: nothing else
              - id: b
                topic: t
                topics: [u]
                when: {type: a}
              - id: c
                topics: []
                when: {type: a}
              - just a string
            """,
            [
                "r.yaml:4:11: when: no conditions; a route needs at least one (hint: to match every event, write type: {exists: true})",
                "r.yaml:5:5: missing \"id\" (a name unique across all route files, like big-eu-orders)",
                "r.yaml:5:5: missing \"when\" (the conditions an event must meet)",
                "r.yaml:5:5: missing \"topic\" (or \"topics\", a list): where matching events go",
                "r.yaml:8:5: write either \"topic\" or \"topics\", not both (hint: list every topic under topics: [a, b])",
                "r.yaml:11:13: topics: an empty list; name at least one topic",
                "r.yaml:13:5: expected a route (a mapping starting with id:), found a string (hint: start each route with `- id:`)",
            ]),
        RouteFileErrorCase(
            "empty lists, empty and contradictory ranges",
            """
            routes:
              - id: a
                topic: t
                when:
                  data.a: []
                  data.b: {gt: 5, lt: 3}
                  data.c: {gt: 1, ge: 2}
                  data.d: {eq: 5, lt: 9}
                  data.e: {}
                  data.f: {ge: 2, le: 2}
                  any: []
                  none:
                    - {}
                  data.g: {not: []}
                  data.h: [[a]]
            """,
            [
                "r.yaml:5:15: an empty list matches nothing; remove the condition or add values",
                "r.yaml:6:15: no number satisfies gt: 5 and lt: 3",
                "r.yaml:7:23: gt and ge together: keep one lower bound",
                "r.yaml:8:16: eq cannot be combined with gt, ge, lt or le (hint: eq is already an exact number; drop the other bounds)",
                "r.yaml:9:15: data.e: an empty mapping; write a value, a list, or operators like {prefix: abc}",
                "r.yaml:11:12: any: an empty group; list at least one condition mapping",
                "r.yaml:13:11: none: expected a mapping of conditions, found an empty mapping",
                "r.yaml:14:21: an empty list matches nothing; remove the condition or add values",
                "r.yaml:15:16: data.h: expected a value or an operator mapping in the list, found a sequence (hint: lists do not nest)",
            ]),
        RouteFileErrorCase(
            "duplicate ids in one file",
            """
            routes:
              - id: a
                topic: t
                when: {type: a}
              - id: a
                topic: t
                when: {type: b}
            """,
            ["r.yaml:5:5: duplicate route id \"a\"; first defined at r.yaml:2:5"]),
        RouteFileErrorCase(
            "top level not a mapping",
            "- id: a\n  topic: t\n",
            ["r.yaml:1:1: expected a mapping with group:, routes: and tests:, found a sequence"]),
        RouteFileErrorCase("top level a string", "hello\n", ["r.yaml:1:1: expected a mapping with group:, routes: and tests:, found a string"]),
        RouteFileErrorCase("empty file", "", ["r.yaml:1:1: the file is empty; expected a mapping with routes:"]),
        RouteFileErrorCase(
            "wrong file level types",
            "group: [a]\nroutes: {id: a}\ntests: x\n",
            [
                "r.yaml:1:8: group: expected a string, found a sequence",
                "r.yaml:2:9: routes: expected a sequence, found a mapping",
                "r.yaml:3:8: tests: expected a sequence, found a string",
            ]),
        RouteFileErrorCase(
            "YAML: a tab",
            "routes:\n\t- id: a\n",
            [
                "r.yaml:2:1: invalid YAML: found character that cannot start any token (while scanning for the next token) (hint: indent with spaces; YAML does not allow tabs there)"
            ]),
        RouteFileErrorCase(
            "YAML: an unquoted star",
            "routes:\n  - id: a\n    topic: t\n    when: {subject: {wildcard: *.png}}\n",
            [
                "r.yaml:4:32: invalid YAML: did not find expected alphabetic or numeric character (while scanning an alias) (hint: quote values that start with \"*\"; YAML reads *name as an alias)"
            ]),
        RouteFileErrorCase(
            "YAML: a colon in a plain value",
            "routes:\n  - id: a\n    topic: t\n    when:\n      subject: orders: eu\n",
            ["r.yaml:5:22: invalid YAML: mapping values are not allowed in this context (hint: quote values that contain \": \")"]),
        RouteFileErrorCase(
            "YAML: an unclosed list",
            "routes: [\n",
            ["r.yaml:2:1: invalid YAML: did not find expected node content (while parsing a flow node)"]),
        RouteFileErrorCase(
            "YAML: a key written twice",
            """
            routes:
              - id: a
                topic: t
                when:
                  data.total: {gt: 1}
                  data.total: {lt: 9}
            """,
            [
                "r.yaml:5:7: the key \"data.total\" is written more than once in one mapping (hint: put several tests on one field in one mapping, like {gt: 1, lt: 9}, or use all:)"
            ]),
        RouteFileErrorCase(
            "bad tests",
            """
            routes:
              - id: a
                topic: t
                when: {type: a}
            tests:
              - event: e.json
                expected: [a]
              - event: 5
                expect: a
              - event: e.json
                envelope: -1
                headers: {X-N: 3}
                expect: {route: [a]}
              - expect: {}
              - name: x
              - event: {n: 0x10}
                dialect: ""
                expect: [a]
              - [a]
            """,
            [
                "r.yaml:6:5: missing \"expect\" (route ids, none, or {routes: [...], topics: [...]})",
                "r.yaml:7:5: unknown key \"expected\" in a test; valid keys: name, event, dialect, headers, path, envelope, expect (hint: did you mean `expect`?)",
                "r.yaml:8:12: event: expected a file path, or a mapping or sequence (the event inline), found a number",
                "r.yaml:9:13: expect: expected a list of route ids, none, or {routes: [...], topics: [...]}, found a string (hint: for one route write a list: expect: [a])",
                "r.yaml:11:15: envelope: expected an integer >= 0 (a position counting from 0), found a number",
                "r.yaml:12:20: X-N: expected a string, found a number (hint: quote it to make it a string: X-N: \"3\")",
                "r.yaml:13:14: unknown key \"route\" in expect; valid keys: routes, topics (hint: did you mean `routes`?)",
                "r.yaml:14:5: missing \"event\" (a JSON file's path relative to this file, or the event inline)",
                "r.yaml:14:13: expect: give routes:, topics: or both",
                "r.yaml:15:5: missing \"event\" (a JSON file's path relative to this file, or the event inline)",
                "r.yaml:15:5: missing \"expect\" (route ids, none, or {routes: [...], topics: [...]})",
                "r.yaml:16:16: 0x10 is not a finite decimal number (hint: quote it to match the text: \"0x10\")",
                "r.yaml:17:14: dialect: must not be empty",
                "r.yaml:19:5: expected a test (a mapping with event: and expect:), found a sequence",
            ]),
    ]

    /// Each error class, with its exact location, message and hint.
    @Test(arguments: errorCases)
    func errorLines(_ errorCase: RouteFileErrorCase) {
        errorCase.expectLines(RouteLoader.parse(yaml: errorCase.yaml, file: "r.yaml").errors)
    }

    /// A file with many kinds of problems reports all of them, in line order, and keeps its good routes.
    @Test func everyErrorOfAFileIsReported() {
        let yaml = """
            group: shop
            routes:
              - id: good
                topic: t
                when: {type: a}
              - id: bad-1
                topic: t
                enabld: false
                when:
                  data.total: {gt: "100"}
                  source: {prefix: 5}
              - id: bad-2
                topic: t
                when:
                  subject: {wildcard: "a**"}
                  any:
                    - data.x: {cidr: nope}
            tests:
              - event: e.json
                expect: [good]
              - event: e.json
                expect: oops
            """
        let result = RouteLoader.parse(yaml: yaml, file: "shop.yaml")
        #expect(
            result.errors.map(\.description) == [
                "shop.yaml:8:5: unknown key \"enabld\" in a route; \(Self.valid) (hint: did you mean `enabled`?)",
                "shop.yaml:10:24: gt: expected a number, found a string (hint: remove the quotes: gt: 100)",
                "shop.yaml:11:24: prefix: expected a string, found a number (hint: quote it to make it a string: prefix: \"5\")",
                "shop.yaml:15:27: wildcard: \"**\" is the same as \"*\"; write one star",
                "shop.yaml:17:26: \"nope\" is not a network like 10.0.0.0/8 or 2001:db8::/32",
                "shop.yaml:22:13: expect: expected a list of route ids, none, or {routes: [...], topics: [...]}, found a string (hint: for one route write a list: expect: [oops])",
            ])
        #expect(result.routes.map(\.id) == ["good"])
        #expect(result.routes.first?.group == "shop")
        #expect(result.tests.count == 1)
    }
}

extension RouteFileParserTests {
    /// Aliases of aliases ("billion laughs") are refused instead of walked for ever.
    @Test func aliasExplosionIsRefused() {
        var yaml = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 { yaml += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let result = RouteLoader.parse(yaml: yaml, file: "r.yaml")
        #expect(
            result.errors.map(\.description) == [
                "r.yaml:1:1: the file holds more than 1000000 values once aliases are expanded; expected a route file (hint: write values out instead of nesting aliases)"
            ])
    }

    /// Anchors and aliases within reason work: one condition shared by two routes.
    @Test func aliasesShareConditions() throws {
        let yaml = """
            routes:
              - id: a
                topic: t
                when: &shop {source: {prefix: "//shop/"}}
              - id: b
                topic: u
                when: *shop
            """
        let result = RouteLoader.parse(yaml: yaml, file: "r.yaml")
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.routes.count == 2)
        #expect(result.routes[0].condition == result.routes[1].condition)
    }
}
