/// The compiled route table: every route of every file, and an index that finds the routes an
/// envelope matches at a cost that grows with the number of distinct fields the routes test, not
/// with the number of routes.
///
/// Immutable: a reload builds a new table and swaps it in; matching that started keeps the old one.
public final class RouteTable: Sendable {
    /// All routes, in table order: files sorted by path, routes in file order.
    public let routes: [Route]
    /// The `tests:` of all files, in the same order.
    public let tests: [RouteTestCase]
    /// The `functions:` of all files, in the same order: the declared subscribers of the topics.
    public let functions: [FunctionSpec]
    /// The files the table was read from, relative to the routes folder.
    public let files: [String]
    let index: RouteIndex

    /// Compiles `routes`; ids must already be unique, and so must the functions' addresses.
    ///
    /// - Throws: ``RouteErrors`` for routes the index cannot take (a `when` whose `any` groups expand
    ///   past ``RouteIndex/maximumAlternatives`` alternatives).
    public init(routes: [Route], tests: [RouteTestCase] = [], functions: [FunctionSpec] = [], files: [String] = []) throws(RouteErrors) {
        self.routes = routes
        self.tests = tests
        self.functions = functions
        self.files = files
        self.index = try RouteIndex(routes: routes)
    }

    /// An empty table (no routes).
    public static let empty = try! RouteTable(routes: [])
}

/// What an envelope matched: positions in the table, read through it on demand, so that matching
/// copies no routes.
public struct RouteMatch: Sendable {
    /// The table that matched.
    public let table: RouteTable
    /// Positions of the matching routes, ascending (after first-match cut-offs).
    public let positions: [Int]

    init(table: RouteTable, positions: [Int]) {
        self.table = table
        self.positions = positions
    }

    /// The matching routes, in table order.
    public var routes: [Route] { positions.map { table.routes[$0] } }

    /// The ids of ``routes``.
    public var routeIDs: [String] { positions.map { table.routes[$0].id } }

    /// Whether nothing matched.
    public var isEmpty: Bool { positions.isEmpty }

    /// The matching routes' topics, each once, in order of first appearance.
    public var topics: [String] {
        var topics: [String] = []
        for position in positions {
            for topic in table.routes[position].topics where !topics.contains(topic) { topics.append(topic) }
        }
        return topics
    }
}
