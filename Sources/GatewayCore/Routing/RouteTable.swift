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
    /// The files the table was read from, relative to the routes folder.
    public let files: [String]
    let index: RouteIndex

    /// Compiles `routes`; ids must already be unique.
    ///
    /// - Throws: ``RouteErrors`` for routes the index cannot take (a `when` whose `any` groups expand
    ///   past ``RouteIndex/maximumAlternatives`` alternatives).
    public init(routes: [Route], tests: [RouteTestCase] = [], files: [String] = []) throws(RouteErrors) {
        self.routes = routes
        self.tests = tests
        self.files = files
        self.index = try RouteIndex(routes: routes)
    }

    /// An empty table (no routes).
    public static let empty = try! RouteTable(routes: [])
}

/// What an envelope matched.
public struct RouteMatch: Sendable {
    /// The matching routes, in table order (after first-match cut-offs).
    public var routes: [Route]
    /// Their topics, each once, in order of first appearance.
    public var topics: [String]

    public init(routes: [Route], topics: [String]) {
        self.routes = routes
        self.topics = topics
    }

    /// The ids of ``routes``.
    public var routeIDs: [String] { routes.map(\.id) }
}
