import Yams

/// Reads one route file (YAML) into routes, tests and functions, collecting every problem with its location.
///
/// The syntax is described in `docs/routes.md`. Parsing never stops at the first problem: each part
/// that is wrong is reported and skipped, and a route or test with any problem is left out of the
/// result (the errors make the table refuse to load anyway).
public struct RouteFileParser {
    /// The file's path as shown in locations (relative to the routes folder).
    let file: String
    /// The file's folder on disk, for `tests[].event` paths.
    let folder: String
    var errors: [RouteError] = []
    /// Every route id written (also of routes with problems), for duplicate checks across files.
    var routeIDs: [(id: String, location: SourceLocation)] = []
    /// `topic`/`topics` keys found inside the current route's `when`: conditions on extensions of those
    /// names, or a mis-indented route key (said in the hint when the route then lacks its topics).
    var topicKeysInWhen: [(name: String, location: SourceLocation)] = []
    /// Every route id named in a test's `expect`, for checks against the whole table.
    var expectedRouteIDs: [(id: String, location: SourceLocation)] = []
    /// Whether the file was read at all (its YAML parsed): when not, its route ids are unknown.
    var isComplete = false
    /// The file's `functions:` without problems, in file order.
    var functions: [FunctionSpec] = []
    /// Every function address written (also of functions with problems), for duplicate checks across files.
    var functionAddresses: [(address: String, location: SourceLocation)] = []

    static let fileKeys = ["group", "routes", "tests", "functions"]
    static let routeKeys = ["id", "description", "enabled", "first_match", "topic", "topics", "when"]

    /// Parses one file's text.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The path shown in locations and used as the default group, relative to the routes folder.
    ///   - folder: The file's folder on disk: `tests[].event` paths are resolved against it (not read).
    /// - Returns: The routes and tests without problems, and every problem found, in line order.
    public static func parse(yaml: String, file: String, folder: String) -> (routes: [Route], tests: [RouteTestCase], errors: [RouteError]) {
        let parsed = parseFile(yaml: yaml, file: file, folder: folder)
        return (parsed.routes, parsed.tests, RouteErrors(parsed.parser.errors).errors)
    }

    /// Parses one file's text, keeping the parser for its id lists.
    static func parseFile(yaml: String, file: String, folder: String) -> (routes: [Route], tests: [RouteTestCase], parser: RouteFileParser) {
        var parser = RouteFileParser(file: file, folder: folder)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, resolver)
        } catch {
            parser.errors.append(parser.yamlError(error, yaml: yaml))
            return ([], [], parser)
        }
        guard let root else {
            parser.errors.append(RouteError(SourceLocation(file: file, line: 1, column: 1), "the file is empty; expected a mapping with routes:"))
            return ([], [], parser)
        }
        guard !Self.exceedsNodeBudget(root) else {
            parser.errors.append(
                RouteError(
                    SourceLocation(file: file, line: 1, column: 1),
                    "the file holds more than \(maximumNodes) values once aliases are expanded; expected a route file", hint: "write values out instead of nesting aliases"))
            return ([], [], parser)
        }
        parser.isComplete = true
        let (routes, tests) = parser.fileContents(root)
        return (routes, tests, parser)
    }

    // MARK: File level

    mutating func fileContents(_ root: Node) -> ([Route], [RouteTestCase]) {
        guard case .mapping(let mapping) = root else {
            error(root, "expected a mapping with group:, routes: and tests:, found \(Self.describe(root))")
            return ([], [])
        }
        var group = file
        var routeNodes: [Node]?
        var testNodes: [Node] = []
        var functionNodes: [Node]?
        for (key, value) in mapping {
            guard let name = keyText(key) else { continue }
            switch name {
            case "group": group = nonEmptyString(value, "group") ?? group
            case "routes": routeNodes = sequence(value, "routes", nullIsEmpty: true) ?? []
            case "tests": testNodes = sequence(value, "tests", nullIsEmpty: true) ?? []
            case "functions": functionNodes = sequence(value, "functions", nullIsEmpty: true) ?? []
            default:
                let hint =
                    Self.routeKeys.contains(name)
                    ? "`routes:` is a list: start each route with `- id:`"
                    : Self.functionKeys.contains(name)
                        ? "`functions:` is a list: start each function with `- name:`" : Self.closest(name, Self.fileKeys).map { "did you mean `\($0)`?" }
                error(key, "unknown key \"\(name)\" at the top of the file; valid keys: \(Self.fileKeys.joined(separator: ", "))", hint: hint)
            }
        }
        // A file may declare functions only.
        if routeNodes == nil, functionNodes == nil {
            error(root, "missing \"routes\" (the list of routes; write routes: [] for none)")
        }
        var routes: [Route] = []
        var firstByID: [String: SourceLocation] = [:]
        for node in routeNodes ?? [] {
            let idsBefore = routeIDs.count
            let route = self.route(node, group: group)
            // Duplicates inside this file; the loader checks across files.
            for written in routeIDs[idsBefore...] {
                if let first = firstByID[written.id] {
                    errors.append(RouteError(written.location, "duplicate route id \"\(written.id)\"; first defined at \(first)"))
                } else {
                    firstByID[written.id] = written.location
                }
            }
            if let route { routes.append(route) }
        }
        let tests = testNodes.compactMap { test($0) }
        functions = declaredFunctions(functionNodes ?? [])
        return (routes, tests)
    }

    // MARK: Routes

    /// One element of `routes:`; nil when anything in it is wrong (the errors say what).
    mutating func route(_ node: Node, group: String) -> Route? {
        guard case .mapping(let mapping) = node else {
            error(node, "expected a route (a mapping starting with id:), found \(Self.describe(node))", hint: "start each route with `- id:`")
            return nil
        }
        let errorsBefore = errors.count
        var id: String?
        var idLocation = location(node)
        var description: String?
        var enabled = true
        var firstMatch = false
        var topicNode: (key: Node, value: Node)?
        var topicsNode: (key: Node, value: Node)?
        var whenNode: Node?
        var hasID = false
        for (key, value) in mapping {
            guard let name = keyText(key) else { continue }
            switch name {
            case "id":
                hasID = true
                idLocation = location(key)
                id = routeID(value)
                if let id { routeIDs.append((id, idLocation)) }
            case "description": description = string(value, "description")
            case "enabled": enabled = bool(value, "enabled") ?? enabled
            case "first_match": firstMatch = bool(value, "first_match") ?? firstMatch
            case "topic": topicNode = (key, value)
            case "topics": topicsNode = (key, value)
            case "when": whenNode = value
            default:
                error(key, "unknown key \"\(name)\" in a route; valid keys: \(Self.routeKeys.joined(separator: ", "))", hint: Self.routeKeyHint(name))
            }
        }
        if !hasID { error(node, "missing \"id\" (a name unique across all route files, like big-eu-orders)") }
        topicKeysInWhen = []
        var condition: Condition?
        if let whenNode {
            condition = when(whenNode)
        } else {
            error(node, "missing \"when\" (the conditions an event must meet)")
        }
        let topics = self.topics(topic: topicNode, topics: topicsNode, route: node)
        guard errors.count == errorsBefore, let id, let topics, let condition else { return nil }
        return Route(
            id: id, description: description, enabled: enabled, topics: topics, firstMatch: firstMatch, group: group, condition: condition,
            location: idLocation)
    }

    /// A route id: `[A-Za-z0-9][A-Za-z0-9._-]*`.
    mutating func routeID(_ node: Node) -> String? {
        guard let id = string(node, "id") else { return nil }
        let isValid =
            id.unicodeScalars.first.map(Self.isIDStart) == true
            && id.unicodeScalars.allSatisfy { Self.isIDStart($0) || $0 == "." || $0 == "_" || $0 == "-" }
        guard isValid else {
            error(node, "id \(NormalizationError.quote(id)) is not valid: use letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit")
            return nil
        }
        return id
    }

    static func isIDStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
    }

    /// Exactly one of `topic` (a string) and `topics` (a non-empty sequence of strings).
    mutating func topics(topic: (key: Node, value: Node)?, topics: (key: Node, value: Node)?, route: Node) -> [String]? {
        switch (topic, topics) {
        case (nil, nil):
            let misplaced = topicKeysInWhen.first.map {
                "mis-indented? `\($0.name)` at \($0.location) is inside `when`, where it tests an extension of that name"
            }
            error(route, "missing \"topic\" (or \"topics\", a list): where matching events go", hint: misplaced)
            return nil
        case (let topic?, let topics?):
            let second = Self.isBefore(topic.key, topics.key) ? topics.key : topic.key
            error(second, "write either \"topic\" or \"topics\", not both", hint: "list every topic under topics: [a, b]")
            return nil
        case (let topic?, nil):
            return nonEmptyString(topic.value, "topic").map { [$0] }
        case (nil, let topics?):
            guard let list = strings(topics.value, "topics") else { return nil }
            guard !list.isEmpty else {
                error(topics.value, "topics: an empty list; name at least one topic")
                return nil
            }
            return list.map(\.0)
        }
    }

    static func isBefore(_ lhs: Node, _ rhs: Node) -> Bool {
        guard let left = lhs.mark, let right = rhs.mark else { return true }
        return (left.line, left.column) < (right.line, right.column)
    }

    /// The hint for an unknown key in a route: a condition written outside `when:`, or a misspelling.
    static func routeKeyHint(_ name: String) -> String? {
        if name.contains(".") || FieldPath.attributes.contains(name) || name == "data" || groupWords.contains(name) {
            return "conditions go under `when:`"
        }
        if let close = closest(name, routeKeys) { return "did you mean `\(close)`?" }
        if (try? FieldPath(parsing: name)) != nil { return "conditions go under `when:`" }
        return nil
    }

    /// The candidate within edit distance 2 of `word` (the nearest; the first on ties).
    static func closest(_ word: String, _ candidates: [String]) -> String? {
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(word, candidate)
            if distance <= 2, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let left = Array(lhs)
        let right = Array(rhs)
        guard !left.isEmpty else { return right.count }
        guard !right.isEmpty else { return left.count }
        var previous = Array(0...right.count)
        for (i, l) in left.enumerated() {
            var current = [i + 1] + [Int](repeating: 0, count: right.count)
            for (j, r) in right.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (l == r ? 0 : 1))
            }
            previous = current
        }
        return previous[right.count]
    }
}
