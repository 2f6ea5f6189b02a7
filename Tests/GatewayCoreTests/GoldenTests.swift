import Foundation
import GatewayCore
import GatewayTesting
import Testing

/// Every fixture under `fixtures/` normalizes to exactly its golden file; `UPDATE_GOLDENS=1` rewrites them.
struct GoldenTests {
    static let updating = ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1"

    @Test func everyDialectHasFixtures() throws {
        let valid = try Fixtures.valid()
        let invalid = try Fixtures.invalid()
        #expect(!valid.isEmpty, "no fixtures found under \(Fixtures.root)")
        for dialect in Normalizer().dialects {
            let cases = valid.filter { $0.dialect == dialect.name }.count
            #expect(cases >= 3, "\(dialect.name) has \(cases) valid fixture cases; each dialect needs at least three")
            let bad = invalid.filter { $0.dialect == dialect.name }.count
            #expect(bad >= 1, "\(dialect.name) has no invalid fixture case")
        }
        let names = Set(Normalizer().dialects.map(\.name))
        for fixture in valid + invalid where !names.contains(fixture.dialect) {
            Issue.record("\(fixture) sits in a folder of no dialect (\(fixture.dialect))")
        }
    }

    @Test(arguments: try Fixtures.valid())
    func normalizesToGolden(_ fixture: Fixture) throws {
        let result = try Normalizer().normalize(fixture.event)
        #expect(result.dialect == fixture.dialect, "detected \(result.dialect) for \(fixture)")
        try Self.compare(Self.goldenText(result), with: fixture)
        for envelope in result.envelopes {
            #expect(try Envelope(cloudEventJSON: envelope.jsonBytes()) == envelope, "compact JSON round trip of \(envelope.id)")
            #expect(try Envelope(cloudEventJSON: envelope.jsonBytes(pretty: true)) == envelope, "pretty JSON round trip of \(envelope.id)")
        }
    }

    @Test(arguments: try Fixtures.invalid())
    func rejectsWithGoldenError(_ fixture: Fixture) throws {
        do {
            let result = try Normalizer().normalize(fixture.event)
            Issue.record("\(fixture) was accepted as \(result.dialect) with \(result.envelopes.count) envelopes")
        } catch {
            try Self.compare(error.goldenJSON, with: fixture)
        }
    }

    @Test func sameInputSameIDs() throws {
        for fixture in try Fixtures.valid() {
            let first = try Normalizer().normalize(fixture.event).envelopes.map(\.id)
            let second = try Normalizer().normalize(fixture.event).envelopes.map(\.id)
            #expect(first == second, "\(fixture)")
        }
    }

    /// A golden file: the dialect that read the request and its envelopes (CloudEvents JSON format),
    /// pretty-printed. Naming the dialect makes a detection change show in the diff, not only in a failure.
    static func goldenText(_ result: Normalization) -> String {
        let envelopes = String(decoding: Envelope.jsonArray(result.envelopes, pretty: true), as: UTF8.self)
        // Strings are escaped, so every newline in the array's text is between tokens: indent under the key.
        let nested = envelopes.replacingOccurrences(of: "\n", with: "\n  ")
        return "{\n  \"dialect\": \"\(result.dialect)\",\n  \"envelopes\": \(nested)\n}\n"
    }

    static func compare(_ output: String, with fixture: Fixture) throws {
        if updating {
            try fixture.writeGolden(output)
            return
        }
        guard let golden = fixture.golden() else {
            Issue.record("\(fixture) has no golden file \(fixture.goldenPath); run with UPDATE_GOLDENS=1 and review it")
            return
        }
        #expect(output == golden, "\(fixture) differs from its golden file")
    }
}

extension Fixture: CustomTestStringConvertible {
    public var testDescription: String { relativePath }
}
