import Foundation

/// Runs the `tests:` of a route table: normalizes each test's event and checks the routes and topics
/// its envelopes match against the expectations.
///
/// Routes and topics compare as sets. With `envelope: N` only that envelope is checked; without it,
/// every envelope of the event must meet the expectations on its own, and an event with no envelopes
/// (an empty batch) passes only `expect: none`.
///
/// A test never crashes the run: a missing event file, an event that does not normalize or an
/// `envelope:` position past the end are failures with a message.
public struct RouteTestRunner: Sendable {
    /// The table whose routes are matched and whose tests are run.
    public var table: RouteTable
    public var normalizer: Normalizer

    /// - Parameters:
    ///   - table: The loaded table; its tests' event files were resolved by the loader.
    ///   - normalizer: Decodes the events (default: every dialect).
    public init(table: RouteTable, normalizer: Normalizer = Normalizer()) {
        self.table = table
        self.normalizer = normalizer
    }

    /// Runs every test of the table, in table order.
    public func run() -> [RouteTestResult] {
        table.tests.map(run)
    }

    /// Runs one test.
    public func run(_ test: RouteTestCase) -> RouteTestResult {
        let body: [UInt8]
        switch test.event {
        case .inline(let raw):
            body = raw.bytes
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                return RouteTestResult(test: test, message: "cannot read the event file \(path)")
            }
            body = Array(data)
        }
        let event = IncomingEvent(body: body, headers: test.headers, path: test.path, dialect: test.dialect)
        let envelopes: [Envelope]
        do {
            envelopes = try normalizer.normalize(event).envelopes
        } catch {
            return RouteTestResult(test: test, message: "the event does not normalize: \(error)")
        }
        return RouteTestResult(test: test, message: check(test, envelopes))
    }

    /// The failure message, or nil when every selected envelope meets the expectations.
    private func check(_ test: RouteTestCase, _ envelopes: [Envelope]) -> String? {
        let selected: [(position: Int, envelope: Envelope)]
        if let position = test.envelope {
            guard envelopes.indices.contains(position) else {
                return "envelope \(position) does not exist: the event has \(Self.count(envelopes.count, "envelope"))"
            }
            selected = [(position, envelopes[position])]
        } else {
            selected = Array(envelopes.enumerated()).map { ($0.offset, $0.element) }
        }
        guard !selected.isEmpty else {
            // An empty batch routes nowhere: only an expectation of nothing holds.
            let expectsNothing = (test.expectedRoutes ?? []).isEmpty && (test.expectedTopics ?? []).isEmpty
            return expectsNothing ? nil : "the event has no envelopes, so nothing can match"
        }
        let labelled = test.envelope != nil || selected.count > 1
        let failures = selected.compactMap { position, envelope -> String? in
            let problems = Self.compare(test, table.match(envelope))
            guard !problems.isEmpty else { return nil }
            return (labelled ? "envelope \(position): " : "") + problems.joined(separator: ", ")
        }
        return failures.isEmpty ? nil : failures.joined(separator: "; ")
    }

    /// What differs between the expectations and `match`, compared as sets.
    static func compare(_ test: RouteTestCase, _ match: RouteMatch) -> [String] {
        var problems: [String] = []
        if let expected = test.expectedRoutes, Set(expected) != Set(match.routeIDs) {
            problems.append((expected.isEmpty ? "expected no routes" : "expected routes \(list(expected))") + ", matched \(list(match.routeIDs))")
        }
        if let expected = test.expectedTopics, Set(expected) != Set(match.topics) {
            problems.append((expected.isEmpty ? "expected no topics" : "expected topics \(list(expected))") + ", got \(list(match.topics))")
        }
        return problems
    }

    static func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)" + (number == 1 ? "" : "s") }
}

/// The outcome of one route test.
public struct RouteTestResult: Sendable, CustomStringConvertible {
    /// The test that ran.
    public var test: RouteTestCase
    /// Why the test failed; nil when it passed.
    public var message: String?

    public init(test: RouteTestCase, message: String?) {
        self.test = test
        self.message = message
    }

    public var passed: Bool { message == nil }

    /// Where the test is written.
    public var location: SourceLocation { test.location }

    /// The test's `name:`, or its event file, or "inline event".
    public var name: String {
        if let name = test.name { return name }
        if case .file(let path) = test.event { return path }
        return "inline event"
    }

    /// `PASS file:line name` or `FAIL file:line name: message`.
    public var description: String {
        let place = "\(location.file):\(location.line)"
        guard let message else { return "PASS \(place) \(name)" }
        return "FAIL \(place) \(name): \(message)"
    }
}
