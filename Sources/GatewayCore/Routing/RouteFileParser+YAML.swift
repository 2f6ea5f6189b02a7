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
