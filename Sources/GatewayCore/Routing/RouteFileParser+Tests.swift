import Yams

extension RouteFileParser {
    static let testKeys = ["name", "event", "dialect", "headers", "path", "envelope", "expect"]

    /// One element of `tests:`; nil when anything in it is wrong.
    mutating func test(_ node: Node) -> RouteTestCase? {
        guard case .mapping(let mapping) = node else {
            error(node, "expected a test (a mapping with event: and expect:), found \(Self.describe(node))")
            return nil
        }
        let errorsBefore = errors.count
        var name: String?
        var event: RouteTestCase.Event?
        var dialect: String?
        var headers = EventHeaders()
        var path: String?
        var envelope: Int?
        var expectation: (routes: [String]?, topics: [String]?)?
        var seen: Set<String> = []
        for (key, value) in mapping {
            guard let keyName = keyText(key) else { continue }
            seen.insert(keyName)
            switch keyName {
            case "name": name = string(value, "name")
            case "event": event = self.event(value)
            case "dialect": dialect = nonEmptyString(value, "dialect")
            case "headers": headers = self.headers(value) ?? headers
            case "path": path = string(value, "path")
            case "envelope": envelope = self.envelope(value)
            case "expect": expectation = expect(value)
            default:
                error(
                    key, "unknown key \"\(keyName)\" in a test; valid keys: \(Self.testKeys.joined(separator: ", "))",
                    hint: Self.closest(keyName, Self.testKeys).map { "did you mean `\($0)`?" })
            }
        }
        if !seen.contains("event") { error(node, "missing \"event\" (a JSON file's path relative to this file, or the event inline)") }
        if !seen.contains("expect") { error(node, "missing \"expect\" (route ids, none, or {routes: [...], topics: [...]})") }
        guard errors.count == errorsBefore, let event, let expectation else { return nil }
        return RouteTestCase(
            name: name, event: event, dialect: dialect, headers: headers, path: path, envelope: envelope, expectedRoutes: expectation.routes,
            expectedTopics: expectation.topics, location: location(node))
    }

    /// A path relative to this file's folder, or an inline mapping or sequence (JSON).
    mutating func event(_ node: Node) -> RouteTestCase.Event? {
        switch node {
        case .mapping, .sequence:
            return json(node).map { .inline(RawJSON($0)) }
        default:
            guard case .string(let relative) = Self.scalarKind(node), !relative.isEmpty else {
                error(node, "event: expected a file path, or a mapping or sequence (the event inline), found \(Self.describe(node))")
                return nil
            }
            return .file(Self.standardized(relative.hasPrefix("/") ? relative : folder + "/" + relative))
        }
    }

    /// `path` with `.` and `a/..` components and repeated slashes removed (lexically, without the file
    /// system); leading `..` of a relative path stay.
    static func standardized(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var components: [Substring] = []
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                if let last = components.last, last != ".." {
                    components.removeLast()
                } else if !absolute {
                    components.append(component)
                }
            default: components.append(component)
            }
        }
        let joined = components.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// A mapping of header names to string values.
    mutating func headers(_ node: Node) -> EventHeaders? {
        guard case .mapping(let mapping) = node else {
            error(node, "headers: expected a mapping of header names to values, found \(Self.describe(node))")
            return nil
        }
        var headers = EventHeaders()
        for (key, value) in mapping {
            guard let name = keyText(key), let text = string(value, name) else { continue }
            headers.append(name: name, value: text)
        }
        return headers
    }

    /// An integer >= 0.
    mutating func envelope(_ node: Node) -> Int? {
        if case .number(let text) = Self.scalarKind(node), text.allSatisfy(\.isASCIIDigit), text.count == 1 || !text.hasPrefix("0"),
            let position = Int(text)
        {
            return position
        }
        error(node, "envelope: expected an integer >= 0 (a position counting from 0), found \(Self.describe(node))")
        return nil
    }

    /// `[ids]`, `none`, or `{routes: [...], topics: [...]}` (at least one of the two).
    mutating func expect(_ node: Node) -> (routes: [String]?, topics: [String]?)? {
        switch node {
        case .sequence:
            return expectedIDs(node).map { ($0, nil) }
        case .mapping(let mapping):
            var routes: [String]?
            var topics: [String]?
            var failed = false
            for (key, value) in mapping {
                guard let name = keyText(key) else {
                    failed = true
                    continue
                }
                switch name {
                case "routes": routes = expectedIDs(value)
                case "topics": topics = strings(value, "topics")?.map(\.0)
                default:
                    error(key, "unknown key \"\(name)\" in expect; valid keys: routes, topics", hint: Self.closest(name, ["routes", "topics"]).map { "did you mean `\($0)`?" })
                }
                if (name == "routes" && routes == nil) || (name == "topics" && topics == nil) { failed = true }
            }
            if mapping.isEmpty {
                error(node, "expect: give routes:, topics: or both")
                return nil
            }
            return failed ? nil : (routes, topics)
        default:
            if case .string("none") = Self.scalarKind(node) { return ([], nil) }
            var hint: String?
            if case .string(let text) = Self.scalarKind(node) { hint = "for one route write a list: expect: [\(text)]" }
            error(node, "expect: expected a list of route ids, none, or {routes: [...], topics: [...]}, found \(Self.describe(node))", hint: hint)
            return nil
        }
    }

    /// Route ids in `expect`, remembered for the check against the whole table.
    mutating func expectedIDs(_ node: Node) -> [String]? {
        guard let list = strings(node, "routes") else { return nil }
        for (id, element) in list { expectedRouteIDs.append((id, location(element))) }
        return list.map(\.0)
    }
}
