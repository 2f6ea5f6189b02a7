import Yams

extension RouteFileParser {
    /// The YAML schema of route files: only `true`/`false` (any case style YAML allows: True, TRUE) are
    /// booleans, `null`/`~`/empty is null, and decimal, hex, octal and binary numbers are numbers (the
    /// non-decimal ones are then refused). `yes`/`no`/`on`/`off` stay strings (`country: NO` is Norway),
    /// and there are no timestamps (times stay strings), no sexagesimal numbers (`12:30` stays a string)
    /// and no merge keys.
    static let resolver: Resolver = {
        // The patterns are constants: building them cannot fail at run time.
        let rules: [Resolver.Rule] = [
            try! Resolver.Rule(.bool, "^(?:true|True|TRUE|false|False|FALSE)$"),
            try! Resolver.Rule(.int, "^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
            try! Resolver.Rule(
                .float,
                "^(?:[-+]?(?:[0-9][0-9_]*)(?:\\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"
            ),
            try! Resolver.Rule(.null, "^(?:~|null|Null|NULL|)$"),
        ]
        return rules.reduce(Resolver.basic) { $0.appending($1) }
    }()

    /// How many nodes a file may hold with its aliases expanded: a few aliases of aliases ("billion
    /// laughs") would otherwise make walking the tree take forever.
    static let maximumNodes = 1_000_000

    /// Whether `root` has more than ``maximumNodes`` nodes, counting each alias use; stops counting there.
    static func exceedsNodeBudget(_ root: Node) -> Bool {
        var remaining = maximumNodes
        func visit(_ node: Node) -> Bool {
            remaining -= 1
            guard remaining >= 0 else { return false }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping { guard visit(key), visit(value) else { return false } }
            case .sequence(let sequence):
                for element in sequence { guard visit(element) else { return false } }
            case .scalar, .alias: break
            }
            return true
        }
        return !visit(root)
    }

    /// What a scalar is under ``resolver``.
    enum ScalarKind {
        case string(String)
        /// The number's text, as written.
        case number(String)
        case bool(Bool)
        case null
    }

    static func scalarKind(_ node: Node) -> ScalarKind? {
        guard case .scalar(let scalar) = node else { return nil }
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .null: return .null
        case .bool:
            switch scalar.string {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: return .string(scalar.string)
            }
        case .int, .float: return .number(scalar.string)
        default: return .string(scalar.string)
        }
    }

    /// `a mapping`, `a string`, ...: what a node is, for "expected X, found Y".
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .alias: return "an alias"
        case .scalar:
            switch scalarKind(node) {
            case .null: return "null"
            case .bool: return "a boolean"
            case .number: return "a number"
            case .string, nil: return "a string"
            }
        }
    }

    /// Where `node` is written.
    func location(_ node: Node, columnOffset: Int = 0) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: (mark?.column ?? 1) + columnOffset)
    }

    mutating func error(_ node: Node, _ message: String, hint: String? = nil) {
        errors.append(RouteError(location(node), message, hint: hint))
    }

    /// A mapping key's text; reports keys that are not scalars.
    mutating func keyText(_ key: Node) -> String? {
        guard case .scalar(let scalar) = key else {
            error(key, "expected a key, found \(Self.describe(key))")
            return nil
        }
        return scalar.string
    }

    // MARK: Typed values

    /// A string value (`key: text`); numbers, booleans and null are refused with a quoting hint.
    mutating func string(_ node: Node, _ key: String) -> String? {
        var hint: String?
        switch Self.scalarKind(node) {
        case .string(let text): return text
        case .number(let text): hint = "quote it to make it a string: \(key): \"\(text)\""
        case .bool(let flag): hint = "quote it to make it a string: \(key): \"\(flag)\""
        case .null, nil: break
        }
        error(node, "\(key): expected a string, found \(Self.describe(node))", hint: hint)
        return nil
    }

    /// A non-empty string value.
    mutating func nonEmptyString(_ node: Node, _ key: String) -> String? {
        guard let text = string(node, key) else { return nil }
        guard !text.isEmpty else {
            error(node, "\(key): must not be empty")
            return nil
        }
        return text
    }

    /// `true` or `false`; `yes`, `no`, `on` and `off` are strings and get a hint.
    mutating func bool(_ node: Node, _ key: String) -> Bool? {
        if case .bool(let flag) = Self.scalarKind(node) { return flag }
        var hint: String?
        if case .string(let text) = Self.scalarKind(node), ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) {
            hint = "only true and false are booleans in route files; yes, no, on and off are strings"
        }
        error(node, "\(key): expected true or false, found \(Self.describe(node))", hint: hint)
        return nil
    }

    /// A sequence's elements (null counts as empty when `nullIsEmpty`).
    mutating func sequence(_ node: Node, _ key: String, nullIsEmpty: Bool = false) -> [Node]? {
        if case .sequence(let sequence) = node { return Array(sequence) }
        if nullIsEmpty, case .null = Self.scalarKind(node) { return [] }
        error(node, "\(key): expected a sequence, found \(Self.describe(node))")
        return nil
    }

    /// A sequence of strings.
    mutating func strings(_ node: Node, _ key: String) -> [(String, Node)]? {
        guard let elements = sequence(node, key) else { return nil }
        var result: [(String, Node)] = []
        var failed = false
        for element in elements {
            if let text = nonEmptyString(element, key) { result.append((text, element)) } else { failed = true }
        }
        return failed ? nil : result
    }

    /// A YAML number as an exact decimal. Hex, octal, binary, leading zeros, `_` separators, `.inf` and
    /// `.nan` are refused: they are not what a route author means by a threshold.
    mutating func decimal(_ text: String, _ node: Node) -> DecimalNumber? {
        let unsigned = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        let integerPart = unsigned.prefix { $0 != "." && $0 != "e" && $0 != "E" }
        let leadingZero = integerPart.count > 1 && integerPart.first == "0"
        if !leadingZero, !text.contains("_"), let number = DecimalNumber(text) { return number }
        let infinite = unsigned.lowercased() == ".inf" || unsigned.lowercased() == ".nan"
        error(node, "\(text) is not a finite decimal number", hint: infinite ? nil : "quote it to match the text: \"\(text)\"")
        return nil
    }

    /// Converts a YAML node to JSON (an inline test event).
    mutating func json(_ node: Node) -> JSONValue? {
        switch node {
        case .scalar:
            switch Self.scalarKind(node) {
            case .null, nil: return .null
            case .bool(let flag): return .bool(flag)
            case .string(let text): return .string(text)
            case .number(let text):
                guard let number = decimal(text, node) else { return nil }
                return .number(JSONNumber(unchecked: Self.isJSONNumber(text) ? text : number.description))
            }
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            var failed = false
            for element in sequence {
                if let value = json(element) { elements.append(value) } else { failed = true }
            }
            return failed ? nil : .array(elements)
        case .mapping(let mapping):
            var members: [JSONValue.Member] = []
            var failed = false
            for (key, value) in mapping {
                guard let name = keyText(key), let converted = json(value) else {
                    failed = true
                    continue
                }
                members.append(JSONValue.Member(name, converted))
            }
            return failed ? nil : .object(members)
        case .alias:
            error(node, "unexpected alias")
            return nil
        }
    }

    /// Whether `text` is a number in JSON's own syntax (`-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?`).
    static func isJSONNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let first = bytes.first
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || first != UInt8(ascii: "0") else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}

extension RouteFileParser {
    /// A YAML syntax error (or duplicate key) as a route error at its position.
    func yamlError(_ error: any Error, yaml: String) -> RouteError {
        guard let error = error as? YamlError else {
            return RouteError(SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // An unquoted `*` starts an alias: point at the star, not at the character after it.
            let at = context.flatMap { $0.text.contains("alias") ? $0.mark : nil } ?? mark
            let while_ =
                context.map { context in
                    (context.mark.line, context.mark.column) == (at.line, at.column)
                        ? " (\(context.text))" : " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
                } ?? ""
            return RouteError(
                SourceLocation(file: file, line: at.line, column: at.column), "invalid YAML: \(problem)\(while_)",
                hint: Self.syntaxHint(problem: problem, context: context?.text, at: mark, in: yaml))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let isPath = key.contains(".") || key == "data" || (FieldPath.attributes.contains(key) && key != "id")
            return RouteError(
                SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                "the key \(NormalizationError.quote(key)) is written more than once in one mapping",
                hint: isPath ? "put several tests on one field in one mapping, like {gt: 1, lt: 9}, or use all:" : nil)
        case .reader(let problem, let offset, _, _):
            let (line, column) = Self.position(ofByte: offset ?? 0, in: yaml)
            return RouteError(SourceLocation(file: file, line: line, column: column), "invalid YAML: \(problem)")
        default:
            return RouteError(SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
    }

    /// Hints for the YAML mistakes route authors make most: tabs, unquoted `*` (an alias in YAML) and
    /// other reserved first characters, and `: ` inside a plain value.
    static func syntaxHint(problem: String, context: String?, at mark: Mark, in yaml: String) -> String? {
        let character = self.character(at: mark, in: yaml)
        if character == "\t" { return "indent with spaces; YAML does not allow tabs there" }
        if problem.contains("undefined alias") || context?.contains("alias") == true {
            return "quote values that start with \"*\"; YAML reads *name as an alias"
        }
        if let character, "&!@`%|>".contains(character), problem != "mapping values are not allowed in this context" {
            return "quote values that start with \"\(character)\""
        }
        if problem == "mapping values are not allowed in this context" { return "quote values that contain \": \"" }
        return nil
    }

    static func character(at mark: Mark, in yaml: String) -> Character? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let scalars = lines[mark.line - 1].unicodeScalars
        guard mark.column >= 1, mark.column <= scalars.count else { return nil }
        return Character(scalars[scalars.index(scalars.startIndex, offsetBy: mark.column - 1)])
    }

    /// Line and column (from 1, in Unicode scalars) of a UTF-8 byte offset.
    static func position(ofByte offset: Int, in yaml: String) -> (line: Int, column: Int) {
        let before = String(decoding: yaml.utf8.prefix(max(0, offset)), as: UTF8.self)
        let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.count, (lines.last?.unicodeScalars.count ?? 0) + 1)
    }
}
