/// Decides whether a condition holds on an envelope: the reference semantics of the route language.
///
/// The index only narrows the routes worth checking; every match is confirmed here, so the two can
/// never disagree. A holding condition yields its witnesses: the array positions its values came
/// from. `all` needs witnesses that agree on every shared array (two tests inside one array element
/// hold on the same element), `any` takes any witness, `none` constrains nothing.
struct ConditionEvaluator {
    /// Array positions a condition relied on.
    typealias Witness = [FieldValue.ArrayStep]

    /// Witness combinations kept per group, so that wide arrays cannot blow up the work.
    static let maximumWitnesses = 64

    private let envelope: Envelope
    private var cache: [FieldPath: [FieldValue]] = [:]

    init(envelope: Envelope) {
        self.envelope = envelope
    }

    /// The values `path` reaches, computed once per envelope.
    mutating func values(_ path: FieldPath) -> ArraySlice<FieldValue> {
        if let cached = cache[path] { return cached[...] }
        let values = envelope.values(at: path)
        cache[path] = values
        return values[...]
    }

    /// Whether `condition` holds.
    mutating func holds(_ condition: Condition) -> Bool {
        !witnesses(condition).isEmpty
    }

    /// The witnesses with which `condition` holds; empty when it does not.
    mutating func witnesses(_ condition: Condition) -> [Witness] {
        switch condition {
        case .field(let field):
            return witnesses(field)
        case .all(let members, _):
            var combined: [Witness] = [[]]
            for member in members {
                let next = witnesses(member)
                guard !next.isEmpty else { return [] }
                combined = Self.join(combined, next)
                guard !combined.isEmpty else { return [] }
            }
            return combined
        case .any(let members, _):
            var union: [Witness] = []
            for member in members {
                union += witnesses(member)
                if union.count >= Self.maximumWitnesses { break }
            }
            return union
        case .none(let members, _):
            for member in members where holds(member) { return [] }
            return [[]]
        }
    }

    /// The witnesses of a field test: the trails of the values that satisfy it, or one empty witness
    /// for tests that hold on absence (`exists: false`).
    mutating func witnesses(_ field: FieldCondition) -> [Witness] {
        let values = values(field.path)
        if Self.holdsOnAbsence(field.test) {
            return Self.satisfiedWithoutValue(field.test, values) ? [[]] : []
        }
        return values.filter { Self.test(field.test, $0) }.prefix(Self.maximumWitnesses).map(\.trail)
    }

    /// Pairs of witnesses that agree on their shared arrays, merged.
    static func join(_ lhs: [Witness], _ rhs: [Witness]) -> [Witness] {
        var result: [Witness] = []
        for left in lhs {
            for right in rhs where FieldValue.consistent(left, right) {
                result.append(left + right.filter { step in !left.contains { $0.array == step.array } })
                if result.count >= maximumWitnesses { return result }
            }
        }
        return result
    }

    /// Tests about the field as a whole rather than one value: `exists: false` holds when no value is
    /// present.
    static func holdsOnAbsence(_ test: FieldTest) -> Bool {
        if case .exists(false) = test { return true }
        return false
    }

    static func satisfiedWithoutValue(_ test: FieldTest, _ values: ArraySlice<FieldValue>) -> Bool {
        values.allSatisfy { if case .null = $0.kind { return true } else { return false } }
    }

    /// Whether one value satisfies `test`.
    static func test(_ test: FieldTest, _ value: FieldValue) -> Bool {
        switch test {
        case .equals(let expected):
            return equals(expected, value)
        case .anyOf(let alternatives):
            return alternatives.contains { Self.test($0, value) }
        case .allOf(let tests):
            return tests.allSatisfy { Self.test($0, value) }
        case .prefix(let prefix, let ignoreCase):
            guard case .string(let text) = value.kind else { return false }
            return ignoreCase ? CaseFolding.foldedUTF8(text).starts(with: CaseFolding.foldedUTF8(prefix)) : text.hasPrefixBytes(prefix)
        case .suffix(let suffix, let ignoreCase):
            guard case .string(let text) = value.kind else { return false }
            return ignoreCase ? CaseFolding.foldedUTF8(text).reversed().starts(with: CaseFolding.foldedUTF8(suffix).reversed()) : text.hasSuffixBytes(suffix)
        case .wildcard(let pattern):
            guard case .string(let text) = value.kind else { return false }
            return text.withUTF8Buffer(pattern.matches)
        case .equalsIgnoreCase(let expected):
            guard case .string(let text) = value.kind else { return false }
            return CaseFolding.foldedUTF8(text) == CaseFolding.foldedUTF8(expected)
        case .not(let inner):
            if case .null = value.kind { return false }
            return !Self.test(inner, value)
        case .numeric(let range):
            guard let number = value.decimal else { return false }
            return range.contains(number)
        case .exists(let present):
            if case .null = value.kind { return !present }
            return present
        case .cidr(let network):
            guard case .string(let text) = value.kind, let address = CIDR.address(text) else { return false }
            return network.contains(address)
        }
    }

    static func equals(_ expected: ScalarValue, _ value: FieldValue) -> Bool {
        switch (expected, value.kind) {
        case (.string(let lhs), .string(let rhs)): return lhs.utf8.elementsEqual(rhs.utf8)
        case (.number(let number), _): return value.decimal == number
        case (.bool(let lhs), .bool(let rhs)): return lhs == rhs
        case (.null, .null): return true
        default: return false
        }
    }
}

extension String {
    /// Byte-wise prefix test (no Unicode normalization: routes compare text as sent).
    func hasPrefixBytes(_ prefix: String) -> Bool {
        utf8.count >= prefix.utf8.count && utf8.starts(with: prefix.utf8)
    }

    func hasSuffixBytes(_ suffix: String) -> Bool {
        utf8.count >= suffix.utf8.count && utf8.reversed().starts(with: suffix.utf8.reversed())
    }
}
