@testable import GatewayCore
import GatewayTesting
import Testing

/// The index must never change what matches: on every fixture envelope, a table of generated routes
/// matches exactly what evaluating every route one by one matches.
struct RouteIndexOracleTests {
    @Test func indexAgreesWithPlainEvaluation() throws {
        let envelopes = try Fixtures.valid().flatMap { (try? Normalizer().normalize($0.event))?.envelopes ?? [] }
        #expect(envelopes.count > 100)
        var generator = SplitMix(seed: 42)
        let routes = (0..<600).map { Self.randomRoute($0, from: envelopes, &generator) }
        let table = try RouteTable(routes: routes)
        var compared = 0
        var matchedSome = 0
        for envelope in envelopes {
            var evaluator = ConditionEvaluator(envelope: envelope)
            let expected = routes.filter { evaluator.holds($0.condition) }.map(\.id)
            let actual = table.match(envelope).routeIDs
            #expect(actual == expected, "envelope \(envelope.id) of \(envelope.source)")
            compared += 1
            if !expected.isEmpty { matchedSome += 1 }
        }
        #expect(compared == envelopes.count)
        #expect(matchedSome > envelopes.count / 4, "the generated routes should hit many envelopes (\(matchedSome))")
    }

    static let paths = ["type", "source", "subject", "id", "platform", "trigger", "batchindex", "region", "data", "data.message", "data.Records.eventName",
                        "data.s3.object.key", "data.total", "data.items.sku", "data.appinfoB", "data.name", "data.level"]

    /// A route of one to three tests built from the values fixtures actually carry.
    static func randomRoute(_ index: Int, from envelopes: [Envelope], _ generator: inout SplitMix) -> Route {
        let here = SourceLocation(file: "oracle.yaml", line: index + 1, column: 1)
        var members: [Condition] = []
        for _ in 0...(Int(generator.next() % 3)) {
            let path = try! FieldPath(parsing: paths[Int(generator.next() % UInt64(paths.count))])
            let envelope = envelopes[Int(generator.next() % UInt64(envelopes.count))]
            let value = envelope.values(at: path).first
            members.append(.field(FieldCondition(path: path, test: randomTest(value, &generator), location: here)))
        }
        let condition: Condition =
            switch generator.next() % 4 {
            case 0: .any(members, here)
            case 1 where members.count > 1: .all([members[0], .none(Array(members.dropFirst()), here)], here)
            default: members.count == 1 ? members[0] : .all(members, here)
            }
        return Route(id: "r\(index)", topics: ["t\(index % 7)"], group: "g\(index % 5)", condition: condition, location: here)
    }

    static func randomTest(_ value: FieldValue?, _ generator: inout SplitMix) -> FieldTest {
        let text: String? = switch value?.kind {
        case .string(let string)?: string
        case .number(let number)?: String(number)
        default: nil
        }
        let trim = Int(generator.next() % 4)
        let cut = { (string: String) in max(0, string.count - trim) }
        switch (generator.next() % 10, text) {
        case (0, let text?): return .equals(.string(text))
        case (1, let text?): return .prefix(String(text.prefix(cut(text))), ignoreCase: generator.next() % 2 == 0)
        case (2, let text?): return .suffix(String(text.suffix(cut(text))), ignoreCase: generator.next() % 2 == 0)
        case (3, let text?): return .wildcard(try! WildcardPattern(String(text.prefix(2)).replacingOccurrencesOfStar() + "*" + String(text.suffix(1)).replacingOccurrencesOfStar()))
        case (4, let text?): return .equalsIgnoreCase(text.uppercased())
        case (5, let text?): return .not(.equals(.string(text)))
        case (6, _): return .exists(generator.next() % 2 == 0)
        case (7, let text?): return .anyOf([.equals(.string(text)), .prefix("x", ignoreCase: false)])
        case (8, _):
            let bound = DecimalNumber(Int(generator.next() % 20))
            return .numeric(NumericRange(lower: bound, lowerInclusive: generator.next() % 2 == 0))
        default:
            return .allOf([.exists(true), .not(.equals(.string("zzz")))])
        }
    }
}

extension String {
    fileprivate func replacingOccurrencesOfStar() -> String {
        String(flatMap { $0 == "*" || $0 == "\\" ? ["\\", $0] : [$0] })
    }
}
