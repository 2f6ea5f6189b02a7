/// Why a route did or did not match an envelope.
public struct RouteExplanation: Sendable {
    public enum Outcome: Sendable {
        case matched
        /// The conditions that failed, each with the value seen.
        case notMatched(reasons: [String])
        case disabled
        /// A route of the same group with `first_match` matched first.
        case skipped(byRoute: String)
    }

    public var route: Route
    public var outcome: Outcome

    /// `route-id: matched`, or `route-id: not matched: data.total: expected ..., found 42`.
    public var summary: String {
        switch outcome {
        case .matched: "\(route.id): matched"
        case .disabled: "\(route.id): disabled"
        case .skipped(let other): "\(route.id): skipped, \(other) matched first in group \(route.group)"
        case .notMatched(let reasons): "\(route.id): not matched: " + reasons.joined(separator: "; ")
        }
    }
}

extension RouteTable {
    /// Every route, in table order, with whether it matched `envelope` and, if not, which conditions
    /// failed and what value they saw.
    public func explain(_ envelope: Envelope) -> [RouteExplanation] {
        var evaluator = ConditionEvaluator(envelope: envelope)
        var stopped: [String: String] = [:]
        return routes.map { route in
            guard route.enabled else { return RouteExplanation(route: route, outcome: .disabled) }
            guard evaluator.holds(route.condition) else {
                return RouteExplanation(route: route, outcome: .notMatched(reasons: evaluator.reasons(route.condition)))
            }
            if let first = stopped[route.group] { return RouteExplanation(route: route, outcome: .skipped(byRoute: first)) }
            if route.firstMatch { stopped[route.group] = route.id }
            return RouteExplanation(route: route, outcome: .matched)
        }
    }
}

extension ConditionEvaluator {
    /// Why `condition` does not hold, one sentence per failing part.
    mutating func reasons(_ condition: Condition) -> [String] {
        switch condition {
        case .field(let field):
            let values = values(field.path)
            let seen = values.isEmpty ? "nothing (the field is absent)" : values.prefix(5).map(\.description).joined(separator: ", ")
            return ["\(field.path): expected \(field.test), found \(seen)"]
        case .all(let members, _):
            let failing = members.filter { !holds($0) }
            if failing.isEmpty {
                return ["each condition holds, but not on the same array element (\(members.count) conditions)"]
            }
            return failing.flatMap { reasons($0) }
        case .any(let members, _):
            return ["any: none of \(members.count) alternatives held (" + members.flatMap { reasons($0) }.joined(separator: "; ") + ")"]
        case .none(let members, _):
            let holding = members.filter { holds($0) }.map(Self.describe)
            return ["none: \(holding.joined(separator: "; ")) held"]
        }
    }

    static func describe(_ condition: Condition) -> String {
        switch condition {
        case .field(let field): "\(field.path) \(field.test)"
        case .all(let members, _): "all of (" + members.map(describe).joined(separator: "; ") + ")"
        case .any(let members, _): "any of (" + members.map(describe).joined(separator: "; ") + ")"
        case .none(let members, _): "none of (" + members.map(describe).joined(separator: "; ") + ")"
        }
    }
}
