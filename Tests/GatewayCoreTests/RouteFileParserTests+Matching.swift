import GatewayCore
import Testing

extension RouteFileParserTests {
    /// The table parsed from `yaml`, and the ids it matches for an envelope with JSON `data`.
    static func matches(_ yaml: String, data: String, extensions: ExtensionAttributes = [:]) throws -> [String] {
        let parsed = RouteLoader.parse(yaml: yaml, file: "r.yaml")
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        let table = try RouteTable(routes: parsed.routes)
        let envelope = Envelope(id: "1", source: "//shop/eu", type: "order", data: .json(try RawJSON(validating: data)), extensions: extensions)
        return table.match(envelope).routeIDs
    }

    /// The semantics docs/routes.md promises, end to end from YAML.
    @Test func documentedSemanticsHoldFromYAML() throws {
        let items = #"{"items": [{"sku": "A-1", "qty": 1}, {"sku": "B-2", "qty": 5}], "countries": ["US", "CA"], "total": "150", "country": "NO"}"#
        let yaml = """
            routes:
              - id: same-element
                topic: t
                when: {data.items.sku: A-1, data.items.qty: {gt: 2}}
              - id: b2-big
                topic: t
                when: {data.items.sku: B-2, data.items.qty: {gt: 2}}
              - id: some-not-us
                topic: t
                when: {data.countries: {not: US}}
              - id: no-us
                topic: t
                when: {none: [{data.countries: US}]}
              - id: numeric-string
                topic: t
                when: {data.total: {gt: 100, le: 150}}
              - id: norway
                topic: t
                when: {data.country: NO}
              - id: folded
                topic: t
                when: {tenant: {ignore-case: STRASSE}}
              - id: absent-not
                topic: t
                when: {data.missing: {not: x}}
              - id: absent
                topic: t
                when: {data.missing: {exists: false}}
            """
        #expect(try Self.matches(yaml, data: items, extensions: ["tenant": "Straße"]) == ["b2-big", "some-not-us", "numeric-string", "norway", "folded", "absent"])
    }

    @Test func firstMatchStopsLaterRoutesOfItsGroup() throws {
        let yaml = """
            group: versions
            routes:
              - id: before
                topic: a
                when: {type: order}
              - id: first
                first_match: true
                topic: b
                when: {type: order}
              - id: after
                topic: c
                when: {type: order}
            """
        #expect(try Self.matches(yaml, data: "{}") == ["before", "first"])
    }
}
