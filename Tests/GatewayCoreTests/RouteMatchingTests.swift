@testable import GatewayCore
import GatewayTesting
import Testing

/// The route language's semantics, on envelopes built in the test; each case checks the index-backed
/// `match` and the plain evaluator agree.
struct RouteMatchingTests {
    static let here = SourceLocation(file: "test.yaml", line: 1, column: 1)

    static func envelope(data: String? = nil, extensions: ExtensionAttributes = [:], subject: String? = nil) throws -> Envelope {
        Envelope(
            id: "e1", source: "/shop/orders", type: "com.shop.order.created", subject: subject,
            datacontenttype: data == nil ? nil : MediaType.json, data: try data.map { .json(try RawJSON(validating: $0)) },
            extensions: extensions)
    }

    static func path(_ text: String) throws -> FieldPath { try FieldPath(parsing: text) }

    static func field(_ path: String, _ test: FieldTest) throws -> Condition {
        .field(FieldCondition(path: try FieldPath(parsing: path), test: test, location: here))
    }

    static func route(_ id: String, _ condition: Condition, group: String = "g", firstMatch: Bool = false, enabled: Bool = true) -> Route {
        Route(id: id, enabled: enabled, topics: ["topic." + id], firstMatch: firstMatch, group: group, condition: condition, location: here)
    }

    /// Whether `condition` matches `envelope`, asserting the index and the evaluator agree.
    static func matches(_ condition: Condition, _ envelope: Envelope) throws -> Bool {
        let table = try RouteTable(routes: [route("r", condition)])
        let indexed = !table.match(envelope).routes.isEmpty
        var evaluator = ConditionEvaluator(envelope: envelope)
        #expect(indexed == evaluator.holds(condition), "index and evaluator disagree")
        return indexed
    }

    static func number(_ text: String) -> DecimalNumber { DecimalNumber(text)! }

    @Test func exactValuesAndLists() throws {
        let event = try Self.envelope(data: #"{"country": "DE", "total": 35, "paid": true, "note": null}"#)
        #expect(try Self.matches(Self.field("type", .equals(.string("com.shop.order.created"))), event))
        #expect(try !Self.matches(Self.field("type", .equals(.string("com.shop.order"))), event))
        #expect(try Self.matches(Self.field("data.country", .anyOf([.equals(.string("FR")), .equals(.string("DE"))])), event))
        #expect(try Self.matches(Self.field("data.total", .equals(.number(Self.number("3.5e1")))), event))
        #expect(try Self.matches(Self.field("data.paid", .equals(.bool(true))), event))
        #expect(try Self.matches(Self.field("data.note", .equals(.null)), event))
        #expect(try !Self.matches(Self.field("data.missing", .equals(.null)), event), "null is not absent")
        // A string pattern does not equal a number, and strings are compared byte for byte.
        #expect(try !Self.matches(Self.field("data.total", .equals(.string("35"))), event))
    }

    @Test func numbersAsDecimals() throws {
        let event = try Self.envelope(data: #"{"total": 100.50, "big": 1e300, "tiny": 1e-300, "asText": "250", "negative": -0.001}"#)
        let range = { (lower: String?, lowerIn: Bool, upper: String?, upperIn: Bool) in
            FieldTest.numeric(NumericRange(lower: lower.map(Self.number), lowerInclusive: lowerIn, upper: upper.map(Self.number), upperInclusive: upperIn))
        }
        #expect(try Self.matches(Self.field("data.total", range("100", false, "10000", true)), event))
        #expect(try !Self.matches(Self.field("data.total", range("100.5", false, nil, true)), event))
        #expect(try Self.matches(Self.field("data.total", range("100.5", true, "100.50", true)), event))
        #expect(try Self.matches(Self.field("data.big", range("9.99e299", false, nil, true)), event))
        #expect(try !Self.matches(Self.field("data.big", range("1e300", false, nil, true)), event))
        #expect(try Self.matches(Self.field("data.tiny", range("0", false, "1e-299", false)), event))
        #expect(try Self.matches(Self.field("data.asText", range("200", true, "300", true)), event), "numbers sent as strings")
        #expect(try Self.matches(Self.field("data.negative", range(nil, true, "0", false)), event))
        #expect(try !Self.matches(Self.field("data.missing", range(nil, true, nil, true)), event))
        #expect(try !Self.matches(Self.field("type", range(nil, true, nil, true)), event), "text is no number")
    }

    @Test func decimalNumbersCompareExactly() {
        #expect(Self.number("35") == Self.number("3.5e1"))
        #expect(Self.number("35") == Self.number("35.000"))
        #expect(Self.number("0.1") < Self.number("0.10000000000000000001"))
        #expect(Self.number("-2") < Self.number("-1.5"))
        #expect(Self.number("-0") == Self.number("0"))
        #expect(Self.number("1e-300") > Self.number("0"))
        #expect(Self.number("123456789012345678901234567890") == Self.number("1.2345678901234567890123456789e29"))
        #expect(Self.number("123456789012345678901234567891") > Self.number("1.2345678901234567890123456789e29"))
        #expect(Self.number("90012.00").description == "90012")
        #expect(Self.number("1e300").description == "1e300")
        #expect(Self.number("0.001").description == "0.001")
        #expect(Self.number(".5") == Self.number("5.e-1"))
        #expect(Self.number("+7") == Self.number("7"))
        #expect(Self.number("00.0100").description == "0.01")
        #expect(Self.number("-1E+2").description == "-100")
        #expect(Self.number("-0.0e5").description == "0")
        #expect(DecimalNumber("12"[...].dropFirst()) == Self.number("2"), "substrings")
        for bad in ["", "-", ".", "+.", "1e", "1e-", "1.2.3", "0x10", "inf", "1e99999999999", "1 2", "1e5.0", "--1"] { #expect(DecimalNumber(bad) == nil, "\(bad)") }
    }

    @Test func prefixSuffixWildcardAndIgnoreCase() throws {
        let event = try Self.envelope(subject: "orders/4711/eu-west/STRASSE.PNG")
        #expect(try Self.matches(Self.field("subject", .prefix("orders/", ignoreCase: false)), event))
        #expect(try !Self.matches(Self.field("subject", .prefix("Orders/", ignoreCase: false)), event))
        #expect(try Self.matches(Self.field("subject", .prefix("ORDERS/", ignoreCase: true)), event))
        #expect(try Self.matches(Self.field("subject", .suffix(".PNG", ignoreCase: false)), event))
        #expect(try Self.matches(Self.field("subject", .suffix(".png", ignoreCase: true)), event))
        #expect(try Self.matches(Self.field("subject", .wildcard(WildcardPattern("orders/*/eu-*"))), event))
        #expect(try Self.matches(Self.field("subject", .wildcard(WildcardPattern("*.PNG"))), event))
        #expect(try Self.matches(Self.field("subject", .wildcard(WildcardPattern("*4711*"))), event))
        #expect(try !Self.matches(Self.field("subject", .wildcard(WildcardPattern("orders/*/us-*"))), event))
        #expect(try Self.matches(Self.field("subject", .equalsIgnoreCase("ORDERS/4711/EU-WEST/straße.png")), event), "Unicode case folding")
        let star = try Self.envelope(subject: "a*b")
        #expect(try Self.matches(Self.field("subject", .wildcard(WildcardPattern(#"a\*b"#))), star))
        #expect(try !Self.matches(Self.field("subject", .wildcard(WildcardPattern(#"a\*b"#))), Self.envelope(subject: "axb")))
    }

    @Test func textIsComparedAsSentWithoutNormalization() throws {
        let composed = try Self.envelope(subject: "caf\u{E9}")
        let decomposed = try Self.envelope(subject: "cafe\u{301}")
        #expect(try Self.matches(Self.field("subject", .equals(.string("caf\u{E9}"))), composed))
        #expect(try !Self.matches(Self.field("subject", .equals(.string("caf\u{E9}"))), decomposed))
        #expect(try !Self.matches(Self.field("subject", .equalsIgnoreCase("CAF\u{C9}")), decomposed))
        #expect(try Self.matches(Self.field("subject", .equalsIgnoreCase("CAF\u{C9}")), composed))
        // Two routes whose values differ only in normalization are two predicates, each firing on its own bytes.
        let table = try RouteTable(routes: [
            Self.route("composed", try Self.field("subject", .equals(.string("caf\u{E9}")))),
            Self.route("decomposed", try Self.field("subject", .equals(.string("cafe\u{301}")))),
        ])
        #expect(table.match(composed).routeIDs == ["composed"])
        #expect(table.match(decomposed).routeIDs == ["decomposed"])
    }

    /// Many patterns sharing a start (indexed by their distinct ends) next to ones sharing an end
    /// (indexed by their starts) and unanchored ones: each value fires exactly the patterns it matches.
    @Test func wildcardsSharingAStartOrAnEndMatchExactly() throws {
        var routes = try (0..<40).map { Self.route("start-\($0)", try Self.field("subject", .wildcard(WildcardPattern("urn:smn:*:queue\($0)")))) }
        routes += try (0..<40).map { Self.route("end-\($0)", try Self.field("subject", .wildcard(WildcardPattern("region\($0):*.png")))) }
        routes.append(Self.route("unanchored", try Self.field("subject", .wildcard(WildcardPattern("*queue7*")))))
        routes.append(Self.route("both", try Self.field("subject", .wildcard(WildcardPattern("urn:*7")))))
        let table = try RouteTable(routes: routes)
        #expect(table.match(try Self.envelope(subject: "urn:smn:eu:queue7")).routeIDs.sorted() == ["both", "start-7", "unanchored"])
        #expect(table.match(try Self.envelope(subject: "urn:smn:eu:queue17")).routeIDs.sorted() == ["both", "start-17"])
        #expect(table.match(try Self.envelope(subject: "region3:x.png")).routeIDs == ["end-3"])
        #expect(table.match(try Self.envelope(subject: "urn:other:queue7")).routeIDs.sorted() == ["both", "unanchored"])
    }

    @Test func wildcardPatternsAreBounded() {
        #expect(throws: WildcardPattern.Problem.self) { try WildcardPattern("a**b") }
        #expect(throws: WildcardPattern.Problem.self) { try WildcardPattern(String(repeating: "a*", count: 9)) }
        #expect(throws: WildcardPattern.Problem.self) { try WildcardPattern(#"a\b"#) }
        #expect(throws: Never.self) { try WildcardPattern(String(repeating: "a*", count: 8)) }
    }

    @Test func notExistsAndNull() throws {
        let event = try Self.envelope(data: #"{"country": "US", "coupon": null, "items": []}"#)
        #expect(try !Self.matches(Self.field("data.country", .not(.anyOf([.equals(.string("US")), .equals(.string("CA"))]))), event))
        #expect(try Self.matches(Self.field("data.country", .not(.equals(.string("DE")))), event))
        #expect(try !Self.matches(Self.field("data.region", .not(.equals(.string("DE")))), event), "not needs the field present")
        #expect(try !Self.matches(Self.field("data.coupon", .not(.equals(.string("X")))), event), "null counts as absent for not")
        #expect(try Self.matches(Self.field("data.coupon", .exists(false)), event), "null is absent for exists")
        #expect(try Self.matches(Self.field("data.gone", .exists(false)), event))
        #expect(try !Self.matches(Self.field("data.country", .exists(false)), event))
        #expect(try Self.matches(Self.field("data.country", .exists(true)), event))
        #expect(try !Self.matches(Self.field("data.items", .exists(true)), event), "an empty array has no value")
        #expect(try Self.matches(Self.field("data", .exists(true)), event))
        #expect(try Self.matches(Self.field("data.country", .not(.prefix("C", ignoreCase: false))), event))
    }

    @Test func extensionsAndAttributes() throws {
        let event = try Self.envelope(extensions: ["tenant": "Acme", "batchindex": 3, "vip": true])
        #expect(try Self.matches(Self.field("tenant", .equalsIgnoreCase("ACME")), event))
        #expect(try Self.matches(Self.field("batchindex", .numeric(NumericRange(lower: Self.number("3"), upper: Self.number("3")))), event))
        #expect(try Self.matches(Self.field("vip", .equals(.bool(true))), event))
        #expect(try Self.matches(Self.field("source", .prefix("/shop", ignoreCase: false)), event))
        #expect(try !Self.matches(Self.field("subject", .exists(true)), event))
        #expect(try Self.matches(Self.field("subject", .exists(false)), event))
    }

    @Test func keysWithDotsAndNesting() throws {
        let event = try Self.envelope(data: #"{"a.b": {"c": 1}, "a": {"b": {"c": 2}}}"#)
        #expect(try Self.path(#"data["a.b"].c"#).keys == ["a.b", "c"])
        #expect(try Self.matches(Self.field(#"data["a.b"].c"#, .equals(.number(Self.number("1")))), event))
        #expect(try Self.matches(Self.field("data.a.b.c", .equals(.number(Self.number("2")))), event))
        #expect(try !Self.matches(Self.field("data.a.b.c", .equals(.number(Self.number("1")))), event))
    }

    @Test func arraysMatchAnyElementAndStayConsistent() throws {
        let event = try Self.envelope(data: #"{"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 5}], "tags": ["x", "y"]}"#)
        #expect(try Self.matches(Self.field("data.tags", .equals(.string("y"))), event))
        #expect(try Self.matches(Self.field("data.items.sku", .equals(.string("B"))), event))
        let sameElement = Condition.all([
            try Self.field("data.items.sku", .equals(.string("B"))),
            try Self.field("data.items.qty", .numeric(NumericRange(lower: Self.number("2")))),
        ], Self.here)
        #expect(try Self.matches(sameElement, event))
        let crossElement = Condition.all([
            try Self.field("data.items.sku", .equals(.string("A"))),
            try Self.field("data.items.qty", .numeric(NumericRange(lower: Self.number("2")))),
        ], Self.here)
        #expect(try !Self.matches(crossElement, event), "A and qty >= 2 are in different elements")
        let sameFieldTwoTests = try Self.field("data.items.qty", .allOf([.numeric(NumericRange(lower: Self.number("2"))), .numeric(NumericRange(upper: Self.number("4")))]))
        #expect(try !Self.matches(sameFieldTwoTests, event), "no single element has 2 <= qty <= 4")
        let grouped = Condition.all([
            try Self.field("data.items.sku", .equals(.string("A"))),
            .any([try Self.field("data.items.qty", .equals(.number(Self.number("5")))), try Self.field("data.items.qty", .equals(.number(Self.number("1"))))], Self.here),
        ], Self.here)
        #expect(try Self.matches(grouped, event), "the any group's second alternative holds on A's element")
    }

    @Test func groups() throws {
        let event = try Self.envelope(data: #"{"priority": "high", "test": false}"#)
        let high = try Self.field("data.priority", .equals(.string("high")))
        let low = try Self.field("data.priority", .equals(.string("low")))
        let test = try Self.field("data.test", .equals(.bool(true)))
        #expect(try Self.matches(.any([low, high], Self.here), event))
        #expect(try !Self.matches(.all([low, high], Self.here), event))
        #expect(try Self.matches(.none([test, low], Self.here), event))
        #expect(try !Self.matches(.none([high], Self.here), event))
        #expect(try Self.matches(.all([.any([low, .none([test], Self.here)], Self.here), high], Self.here), event))
    }

    @Test func cidr() throws {
        let event = try Self.envelope(data: #"{"ip": "10.1.2.3", "v6": "2001:db8::1", "mapped": "::ffff:192.168.1.9", "bad": "10.1.2"}"#)
        #expect(try Self.matches(Self.field("data.ip", .cidr(CIDR("10.0.0.0/8")!)), event))
        #expect(try !Self.matches(Self.field("data.ip", .cidr(CIDR("10.2.0.0/16")!)), event))
        #expect(try Self.matches(Self.field("data.v6", .cidr(CIDR("2001:db8::/32")!)), event))
        #expect(try Self.matches(Self.field("data.mapped", .cidr(CIDR("192.168.0.0/16")!)), event))
        #expect(try !Self.matches(Self.field("data.bad", .cidr(CIDR("10.0.0.0/8")!)), event))
        for bad in ["10.0.0.0", "10.0.0.0/33", "300.0.0.0/8", "2001:db8::/129", "1::2::3/64", "01.2.3.4/8"] { #expect(CIDR(bad) == nil, "\(bad)") }
    }

    @Test func firstMatchStopsLaterRoutesOfTheGroup() throws {
        let event = try Self.envelope()
        let type = try Self.field("type", .prefix("com.shop", ignoreCase: false))
        let table = try RouteTable(routes: [
            Self.route("a", type, group: "g1", firstMatch: true), Self.route("b", type, group: "g1"), Self.route("c", type, group: "g2"),
            Self.route("d", type, group: "g1", enabled: false),
        ])
        let result = table.match(event)
        #expect(result.routeIDs == ["a", "c"])
        #expect(result.topics == ["topic.a", "topic.c"])
        #expect(table.explain(event).map(\.summary) == [
            "a: matched", "b: skipped, a matched first in group g1", "c: matched", "d: disabled",
        ])
    }

    @Test func explainSaysWhatFailedAndWhatItSaw() throws {
        let event = try Self.envelope(data: #"{"total": 42}"#)
        let condition = Condition.all([
            try Self.field("data.total", .numeric(NumericRange(lower: Self.number("100"), lowerInclusive: false))),
            try Self.field("data.country", .equals(.string("DE"))),
        ], Self.here)
        let table = try RouteTable(routes: [Self.route("big", condition)])
        #expect(table.explain(event).map(\.summary) == [
            "big: not matched: data.total: expected a number > 100, found 42; data.country: expected equal to \"DE\", found nothing (the field is absent)",
        ])
    }

    @Test func pathsParse() throws {
        #expect(try Self.path("type").root == .attribute("type"))
        #expect(try Self.path("tenant").root == .extension("tenant"))
        #expect(try Self.path("data").keys.isEmpty)
        #expect(try Self.path(#"data.a['x"y'].b"#).keys == ["a", #"x"y"#, "b"])
        #expect(try Self.path(#"data["a.b"].c"#).description == #"data["a.b"].c"#)
        for bad in ["Type", "type.x", "data.", "data..a", "data[a]", #"data["a"#, "", "ext-name"] {
            #expect(throws: FieldPathError.self, "\(bad)") { try FieldPath(parsing: bad) }
        }
    }
}
