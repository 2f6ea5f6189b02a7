extension FieldTest: CustomStringConvertible {
    /// What the test expects, in words: `a number > 100 and <= 10000`, `starting with "orders/"`.
    public var description: String {
        switch self {
        case .equals(let value): "equal to \(value)"
        case .anyOf(let alternatives): "one of [" + alternatives.map(\.description).joined(separator: "; ") + "]"
        case .allOf(let tests): tests.map(\.description).joined(separator: " and ")
        case .prefix(let prefix, let ignoreCase): "starting with \(NormalizationError.quote(prefix))" + (ignoreCase ? " ignoring case" : "")
        case .suffix(let suffix, let ignoreCase): "ending with \(NormalizationError.quote(suffix))" + (ignoreCase ? " ignoring case" : "")
        case .wildcard(let pattern): "matching \(NormalizationError.quote(pattern.text))"
        case .equalsIgnoreCase(let text): "equal to \(NormalizationError.quote(text)) ignoring case"
        case .not(let inner): "present and not \(inner.description)"
        case .numeric(let range): range.description
        case .exists(let present): present ? "present" : "absent"
        case .cidr(let network): "an address in \(network)"
        }
    }
}

extension NumericRange: CustomStringConvertible {
    public var description: String {
        var parts: [String] = []
        if let lower { parts.append((lowerInclusive ? ">= " : "> ") + lower.description) }
        if let upper { parts.append((upperInclusive ? "<= " : "< ") + upper.description) }
        if let lower, let upper, lower == upper, lowerInclusive, upperInclusive { return "a number equal to \(lower)" }
        return "a number " + (parts.isEmpty ? "(any)" : parts.joined(separator: " and "))
    }
}
