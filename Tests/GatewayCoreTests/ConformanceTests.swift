import Foundation
import GatewayCore
import GatewayTesting
import Testing

/// The CloudEvents conformance sets (format/json of cloudevents/conformance): every valid event or batch is
/// accepted with the right count and typed extensions, every invalid one is rejected.
@Suite(.enabled(if: SharedSamples.available, "../shared/samples is not present"))
struct ConformanceTests {
    static let root = SharedSamples.conformance

    struct Case: Sendable, CustomTestStringConvertible {
        let id: String
        let body: [UInt8]
        let count: Int
        let batch: Bool
        let extensions: [JSONValue.Member]
        var testDescription: String { id }
    }

    static func cases(_ file: String) throws -> [Case] {
        let bytes = try #require(FileManager.default.contents(atPath: root + "/" + file))
        let suite = try RawJSON(validating: Array(bytes)).value
        guard case .array(let tests)? = suite["tests"] else { throw FixtureError("\(file) has no tests array") }
        return tests.compactMap { test in
            guard let id = test["id"]?.stringValue else { return nil }
            let value = test["event"] ?? test["batch"] ?? .null
            var count = 1
            if case .array(let events) = value { count = events.count }
            var extensions: [JSONValue.Member] = []
            if test["sampleExtensionAttributes"] == .bool(true), case .object(let members) = value {
                extensions = members.filter { $0.key.hasPrefix("ext") }
            }
            return Case(id: id, body: RawJSON(value).bytes, count: count, batch: test["batch"] != nil, extensions: extensions)
        }
    }

    static func request(_ test: Case) -> IncomingEvent {
        IncomingEvent(body: test.body, headers: ["Content-Type": test.batch ? MediaType.cloudEventsBatchJSON : MediaType.cloudEventsJSON])
    }

    @Test func suitesAreNotEmpty() throws {
        for file in ["valid-events.json", "invalid-events.json", "valid-batches.json", "invalid-batches.json"] {
            #expect(try !Self.cases(file).isEmpty, "\(file)")
        }
    }

    @Test(arguments: try SharedSamples.available ? cases("valid-events.json") + cases("valid-batches.json") : [])
    func acceptsValid(_ test: Case) throws {
        let result = try Normalizer().normalize(Self.request(test))
        #expect(result.envelopes.count == test.count)
        for member in test.extensions {
            let expected: ExtensionValue? =
                switch member.value {
                case .string(let text): .string(text)
                case .bool(let flag): .boolean(flag)
                case .number(let number): number.int64.map { .integer(Int($0)) }
                default: nil
                }
            #expect(result.envelopes.first?.extensions[member.key] == expected, "extension \(member.key)")
        }
    }

    @Test(arguments: try SharedSamples.available ? cases("invalid-events.json") + cases("invalid-batches.json") : [])
    func rejectsInvalid(_ test: Case) throws {
        #expect(throws: NormalizationError.self) { try Normalizer().normalize(Self.request(test)) }
    }
}
