import GatewayCore
import Testing

struct RouteTestRunnerTests {
    /// The results of the tests of one route file's text.
    static func run(_ yaml: String) throws -> [RouteTestResult] {
        let parsed = RouteLoader.parse(yaml: yaml, file: "t.yaml")
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        return RouteTestRunner(table: try RouteTable(routes: parsed.routes, tests: parsed.tests)).run()
    }

    static let routes = """
        routes:
          - id: a
            topics: [x, y]
            when:
              data.k: 1
          - id: b
            topic: y
            when:
              data.k: {ge: 1}

        """

    @Test func routesAndTopicsCompareAsSets() throws {
        let results = try Self.run(
            Self.routes + """
                tests:
                  - event: {specversion: "1.0", id: "1", source: /s, type: t, data: {k: 1}}
                    expect: {routes: [b, a], topics: [y, x]}
                  - event: {specversion: "1.0", id: "1", source: /s, type: t, data: {k: 2}}
                    expect: {routes: [a], topics: [x]}
                  - name: nothing
                    event: {specversion: "1.0", id: "1", source: /s, type: t, data: {k: 0}}
                    expect: none
                """)
        #expect(results.map(\.passed) == [true, false, true])
        #expect(results[1].message == "expected routes [a], matched [b], expected topics [x], got [y]")
        #expect(results[1].description == "FAIL t.yaml:13 inline event: expected routes [a], matched [b], expected topics [x], got [y]")
        #expect(results[2].description == "PASS t.yaml:15 nothing")
    }

    @Test func everyEnvelopeOrTheOneNamed() throws {
        let batch = #"[{"specversion": "1.0", "id": "1", "source": "/s", "type": "t", "data": {"k": 1}}, {"specversion": "1.0", "id": "2", "source": "/s", "type": "t", "data": {"k": 5}}]"#
        let results = try Self.run(
            Self.routes + """
                tests:
                  - event: \(batch)
                    dialect: cloudevents.batch
                    expect: [b]
                  - event: \(batch)
                    dialect: cloudevents.batch
                    envelope: 1
                    expect: [b]
                  - event: \(batch)
                    dialect: cloudevents.batch
                    envelope: 2
                    expect: [b]
                  - event: []
                    dialect: cloudevents.batch
                    expect: none
                  - event: []
                    dialect: cloudevents.batch
                    expect: [a]
                """)
        #expect(results.map(\.passed) == [false, true, false, true, false])
        #expect(results[0].message == "envelope 0: expected routes [b], matched [a, b]")
        #expect(results[2].message == "envelope 2 does not exist: the event has 2 envelopes")
        #expect(results[4].message == "the event has no envelopes, so nothing can match")
    }

    @Test func unreadableAndUndecodableEventsFail() throws {
        let results = try Self.run(
            Self.routes + """
                tests:
                  - event: does/not/exist.json
                    expect: none
                  - event: {hello: world}
                    expect: none
                  - event: {k: 1}
                    dialect: no.such.dialect
                    expect: none
                """)
        #expect(results.map(\.passed) == [false, false, false])
        #expect(results[0].message == "cannot read the event file does/not/exist.json")
        #expect(results[0].name == "does/not/exist.json")
        #expect(results[1].message?.hasPrefix("the event does not normalize: ") == true)
        #expect(results[1].message?.contains("no dialect matched the request") == true)
        #expect(results[2].message?.hasPrefix("the event does not normalize: unknown dialect \"no.such.dialect\"") == true)
    }
}
