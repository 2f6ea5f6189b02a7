/// A route's `when`, as a tree: field tests combined by `all`, `any` and `none`.
///
/// A `when` mapping is an `all` of its entries; `any:`, `all:` and `none:` keys nest groups.
public indirect enum Condition: Sendable {
    /// A test on the value(s) at one path.
    case field(FieldCondition)
    /// Every member holds (a mapping, or `all:`).
    case all([Condition], SourceLocation)
    /// At least one member holds (`any:`).
    case any([Condition], SourceLocation)
    /// No member holds (`none:`).
    case none([Condition], SourceLocation)
}

/// `path: test` inside a `when`.
public struct FieldCondition: Sendable {
    public var path: FieldPath
    public var test: FieldTest
    /// Where the path key is written.
    public var location: SourceLocation

    public init(path: FieldPath, test: FieldTest, location: SourceLocation) {
        self.path = path
        self.test = test
        self.location = location
    }
}

/// What a field's value must satisfy.
///
/// When the path reaches several values (arrays along the path), the test holds when any value
/// satisfies it; tests combined on one field (`allOf`) must hold on the same value.
public indirect enum FieldTest: Sendable {
    /// `path: value`: equal; strings exactly, numbers as decimals (35 equals 3.5e1; a numeric string
    /// counts as its number), booleans and null as themselves.
    case equals(ScalarValue)
    /// `path: [a, b, {prefix: c}]`: any of the alternatives.
    case anyOf([FieldTest])
    /// Several operators in one mapping (`{gt: 1, lt: 9}`): all of them, on the same value.
    case allOf([FieldTest])
    /// `{prefix: abc}`, or `{prefix: {ignore-case: abc}}`.
    case prefix(String, ignoreCase: Bool)
    /// `{suffix: .png}`, or `{suffix: {ignore-case: .PNG}}`.
    case suffix(String, ignoreCase: Bool)
    /// `{wildcard: "orders/*/eu-*"}`: `*` matches any run of characters, `\*` a star.
    case wildcard(WildcardPattern)
    /// `{ignore-case: acme}`: equal after Unicode case folding.
    case equalsIgnoreCase(String)
    /// `{not: ...}` (anything-but): the field is present and the value fails the inner test.
    case not(FieldTest)
    /// `{gt: 1, ge: 1, lt: 9, le: 9, eq: 5}` combined into one range, compared as decimals.
    case numeric(NumericRange)
    /// `{exists: true}`: present and not null; `{exists: false}`: absent or null.
    case exists(Bool)
    /// `{cidr: 10.0.0.0/8}`: an IPv4 or IPv6 address inside the network.
    case cidr(CIDR)
}

/// A scalar in a route file or an event.
public enum ScalarValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(DecimalNumber)
    case bool(Bool)
    case null

    public var description: String {
        switch self {
        case .string(let text): NormalizationError.quote(text)
        case .number(let number): number.description
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        }
    }
}

/// A numeric range: optional bounds, each open or closed.
public struct NumericRange: Sendable, Hashable {
    public var lower: DecimalNumber?
    public var lowerInclusive: Bool
    public var upper: DecimalNumber?
    public var upperInclusive: Bool

    public init(lower: DecimalNumber? = nil, lowerInclusive: Bool = true, upper: DecimalNumber? = nil, upperInclusive: Bool = true) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.upperInclusive = upperInclusive
    }

    /// Whether `value` lies in the range.
    public func contains(_ value: DecimalNumber) -> Bool {
        if let lower {
            guard lowerInclusive ? value >= lower : value > lower else { return false }
        }
        if let upper {
            guard upperInclusive ? value <= upper : value < upper else { return false }
        }
        return true
    }

    /// Whether no number satisfies the range (`{gt: 5, lt: 3}`).
    public var isEmpty: Bool {
        guard let lower, let upper else { return false }
        return lower > upper || (lower == upper && !(lowerInclusive && upperInclusive))
    }
}
