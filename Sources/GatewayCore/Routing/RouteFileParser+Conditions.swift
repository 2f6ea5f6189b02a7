import Yams

extension RouteFileParser {
    static let groupWords = ["any", "all", "none"]
    static let operators = ["prefix", "suffix", "wildcard", "ignore-case", "not", "gt", "ge", "lt", "le", "eq", "exists", "cidr"]
    /// Operator names of other routers, and what to write instead.
    static let foreignOperators = [
        "glob": "wildcard", "ci": "ignore-case", "anything-but": "not", "equals-ignore-case": "ignore-case", "numeric": "gt, ge, lt, le or eq",
    ]

    /// `when:`: a non-empty mapping of conditions.
    mutating func when(_ node: Node) -> Condition? {
        guard case .mapping(let mapping) = node else {
            error(node, "when: expected a mapping of conditions, found \(Self.describe(node))")
            return nil
        }
        guard !mapping.isEmpty else {
            error(node, "when: no conditions; a route needs at least one", hint: "to match every event, write type: {exists: true}")
            return nil
        }
        return conditionMapping(mapping, node, container: "when")
    }

    /// A mapping of conditions (`when`, or an element of a group): one entry is that entry's
    /// condition, several are an `all` located at the mapping.
    mutating func conditionMapping(_ mapping: Node.Mapping, _ node: Node, container: String) -> Condition? {
        var conditions: [Condition] = []
        var failed = false
        for (key, value) in mapping {
            if let name = keyText(key), let condition = conditionEntry(name, key, value, container: container) {
                conditions.append(condition)
            } else {
                failed = true
            }
        }
        guard !failed else { return nil }
        return conditions.count == 1 ? conditions[0] : .all(conditions, location(node))
    }

    /// `path: test` or `any:`/`all:`/`none:` with its list.
    mutating func conditionEntry(_ name: String, _ key: Node, _ value: Node, container: String) -> Condition? {
        if Self.groupWords.contains(name) { return group(name, key, value) }
        // `id` is an attribute and `topic`/`topics` are extensions (queue triggers set `topic`): they
        // are conditions. The other route keys are mistakes here.
        if name == "topic" || name == "topics" { topicKeysInWhen.append((name, location(key))) }
        if name != "id", name != "topic", name != "topics", Self.routeKeys.contains(name) {
            error(key, "\"\(name)\" is a route key, not a condition", hint: "mis-indented? `\(name)` belongs to the route, not to `\(container)`")
            return nil
        }
        let path: FieldPath
        do {
            path = try FieldPath(parsing: name)
        } catch {
            // The offset counts characters of the key's text; a quoted key starts one column later
            // (escapes inside a double-quoted key can still shift the column).
            var quoted = false
            if case .scalar(let scalar) = key { quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted }
            let lowered = name.lowercased()
            let hint = lowered != name && (try? FieldPath(parsing: lowered)) != nil ? "did you mean `\(lowered)`?" : nil
            errors.append(RouteError(location(key, columnOffset: error.offset + (quoted ? 1 : 0)), error.message, hint: hint))
            return nil
        }
        guard let test = fieldTest(value, key: name, path: path) else { return nil }
        return .field(FieldCondition(path: path, test: test, location: location(key)))
    }

    /// `any:`, `all:` or `none:`: a non-empty sequence of condition mappings.
    mutating func group(_ word: String, _ key: Node, _ value: Node) -> Condition? {
        guard case .sequence(let sequence) = value else {
            error(value, "\(word): expected a sequence of condition mappings, found \(Self.describe(value))", hint: "write each member as a list item: `- type: ...`")
            return nil
        }
        guard !sequence.isEmpty else {
            error(value, "\(word): an empty group; list at least one condition mapping")
            return nil
        }
        var members: [Condition] = []
        var failed = false
        for element in sequence {
            guard case .mapping(let mapping) = element, !mapping.isEmpty else {
                let found = element.mapping != nil ? "an empty mapping" : Self.describe(element)
                error(element, "\(word): expected a mapping of conditions, found \(found)")
                failed = true
                continue
            }
            if let member = conditionMapping(mapping, element, container: word) { members.append(member) } else { failed = true }
        }
        guard !failed else { return nil }
        let location = location(key)
        switch word {
        case "any": return .any(members, location)
        case "all": return .all(members, location)
        default: return .none(members, location)
        }
    }

    // MARK: Field tests

    /// The value of a path (or of `not`): a scalar, a sequence of alternatives, or operators.
    mutating func fieldTest(_ node: Node, key: String, path: FieldPath) -> FieldTest? {
        switch node {
        case .scalar:
            return scalarValue(node).map { .equals($0) }
        case .sequence(let sequence):
            guard !sequence.isEmpty else {
                error(node, "an empty list matches nothing; remove the condition or add values")
                return nil
            }
            var alternatives: [FieldTest] = []
            var failed = false
            for element in sequence {
                var alternative: FieldTest?
                switch element {
                case .scalar: alternative = scalarValue(element).map { .equals($0) }
                case .mapping(let mapping): alternative = operators(mapping, element, key: key, path: path)
                default: error(element, "\(key): expected a value or an operator mapping in the list, found \(Self.describe(element))", hint: "lists do not nest")
                }
                if let alternative { alternatives.append(alternative) } else { failed = true }
            }
            return failed ? nil : .anyOf(alternatives)
        case .mapping(let mapping):
            return operators(mapping, node, key: key, path: path)
        case .alias:
            error(node, "unexpected alias")
            return nil
        }
    }

    /// A scalar as a value to compare with: numbers exactly as written, only true/false booleans.
    mutating func scalarValue(_ node: Node) -> ScalarValue? {
        switch Self.scalarKind(node) {
        case .string(let text): return .string(text)
        case .bool(let flag): return .bool(flag)
        case .null, nil: return .null
        case .number(let text): return decimal(text, node).map { .number($0) }
        }
    }

    /// An operator mapping: each operator a test on the same value; gt/ge/lt/le/eq merge into one range.
    mutating func operators(_ mapping: Node.Mapping, _ node: Node, key: String, path: FieldPath) -> FieldTest? {
        guard !mapping.isEmpty else {
            error(node, "\(key): an empty mapping; write a value, a list, or operators like {prefix: abc}")
            return nil
        }
        var tests: [FieldTest?] = []
        var bounds = Bounds()
        var failed = false
        for (operatorKey, value) in mapping {
            guard let name = keyText(operatorKey) else {
                failed = true
                continue
            }
            var test: FieldTest?
            switch name {
            case "prefix", "suffix":
                if let (text, ignoreCase) = affix(value, name) {
                    test = name == "prefix" ? .prefix(text, ignoreCase: ignoreCase) : .suffix(text, ignoreCase: ignoreCase)
                }
            case "wildcard":
                if let text = string(value, name) {
                    do {
                        test = .wildcard(try WildcardPattern(text))
                    } catch {
                        self.error(value, "wildcard: \(error.message)")
                    }
                }
            case "ignore-case":
                test = string(value, name).map { .equalsIgnoreCase($0) }
            case "not":
                test = fieldTest(value, key: name, path: path).map { .not($0) }
            case "gt", "ge", "lt", "le", "eq":
                if bounds.written.isEmpty { tests.append(nil) }  // the range's place among the tests
                if let number = number(value, name) {
                    bounds.written.append((name, operatorKey, value, number))
                    continue
                }
            case "exists":
                test = bool(value, name).map { .exists($0) }
            case "cidr":
                if let text = string(value, name) {
                    if let network = CIDR(text) {
                        test = .cidr(network)
                    } else {
                        error(value, "\(NormalizationError.quote(text)) is not a network like 10.0.0.0/8 or 2001:db8::/32")
                    }
                }
            default:
                error(operatorKey, "unknown operator \"\(name)\"; valid operators: \(Self.operators.joined(separator: ", "))", hint: Self.operatorHint(name, path: path))
            }
            if let test { tests.append(test) } else { failed = true }
        }
        if !bounds.written.isEmpty {
            guard let range = range(bounds, node) else { return nil }
            if let slot = tests.firstIndex(where: { $0 == nil }) { tests[slot] = .numeric(range) }
        }
        guard !failed else { return nil }
        let result = tests.compactMap { $0 }
        return result.count == 1 ? result[0] : .allOf(result)
    }

    /// `prefix: text` or `prefix: {ignore-case: text}`.
    mutating func affix(_ node: Node, _ name: String) -> (String, Bool)? {
        guard case .mapping(let mapping) = node else { return string(node, name).map { ($0, false) } }
        guard mapping.count == 1, let (key, value) = mapping.first, let option = keyText(key), option == "ignore-case" else {
            let close = mapping.keys.contains { $0.string.flatMap { Self.closest($0, ["ignore-case"]) } != nil }
            error(node, "\(name): expected a string or {ignore-case: string}", hint: close ? "did you mean `ignore-case`?" : nil)
            return nil
        }
        return string(value, "\(name): \(option)").map { ($0, true) }
    }

    /// A YAML number for gt/ge/lt/le/eq; a quoted number is refused.
    mutating func number(_ node: Node, _ name: String) -> DecimalNumber? {
        guard case .number(let text) = Self.scalarKind(node) else {
            var hint: String?
            if case .string(let text) = Self.scalarKind(node), DecimalNumber(text) != nil { hint = "remove the quotes: \(name): \(text)" }
            error(node, "\(name): expected a number, found \(Self.describe(node))", hint: hint)
            return nil
        }
        return decimal(text, node)
    }

    /// The numeric operators of one mapping.
    struct Bounds {
        var written: [(name: String, key: Node, value: Node, number: DecimalNumber)] = []
    }

    /// Merges gt/ge/lt/le/eq into one range; refuses contradictions and ranges no number satisfies.
    mutating func range(_ bounds: Bounds, _ node: Node) -> NumericRange? {
        var range = NumericRange()
        var lower: String?
        var upper: String?
        var equal: String?
        var failed = false
        for (name, key, _, number) in bounds.written {
            switch name {
            case "eq":
                equal = name
                range = NumericRange(lower: number, lowerInclusive: true, upper: number, upperInclusive: true)
            case "gt", "ge":
                if let lower {
                    error(key, "\(lower) and \(name) together: keep one lower bound")
                    failed = true
                }
                lower = name
                range.lower = number
                range.lowerInclusive = name == "ge"
            default:
                if let upper {
                    error(key, "\(upper) and \(name) together: keep one upper bound")
                    failed = true
                }
                upper = name
                range.upper = number
                range.upperInclusive = name == "le"
            }
        }
        if equal != nil, bounds.written.count > 1 {
            let key = bounds.written.first { $0.name == "eq" }?.key ?? node
            error(key, "eq cannot be combined with gt, ge, lt or le", hint: "eq is already an exact number; drop the other bounds")
            return nil
        }
        guard !failed else { return nil }
        if range.isEmpty {
            let written = bounds.written.map { "\($0.name): \($0.number)" }.joined(separator: " and ")
            error(node, "no number satisfies \(written)")
            return nil
        }
        return range
    }

    /// Did-you-mean for an unknown operator: a near operator, another router's name for one, or a
    /// member of `data` written as a nested mapping.
    static func operatorHint(_ name: String, path: FieldPath) -> String? {
        if let close = closest(name, operators) { return "did you mean `\(close)`?" }
        if let replacement = foreignOperators[name] { return "write \(replacement)" }
        if name == "regex" || name == "regexp" || name == "matches" { return "regular expressions are not supported; use wildcard" }
        if case .data = path.root, (try? FieldPath(parsing: "\(path).\(name)")) != nil {
            return "to test a member, write its path as the key: `\(path).\(name)`"
        }
        return nil
    }
}
