/// One route of the table: when an envelope satisfies ``condition``, the route yields ``topics``.
public struct Route: Sendable {
    /// Unique across every file of the table.
    public var id: String
    public var description: String?
    /// A disabled route stays in the table (it is checked and listed) but never matches.
    public var enabled: Bool
    /// What the route yields, one or more.
    public var topics: [String]
    /// When this route matches, later routes of the same ``group`` are not evaluated.
    public var firstMatch: Bool
    /// The first-match scope: the file's `group:`, or the file's path relative to the routes folder.
    public var group: String
    /// The `when`: all of its entries must hold.
    public var condition: Condition
    /// Where the route starts (its `id:` line).
    public var location: SourceLocation

    public init(
        id: String, description: String? = nil, enabled: Bool = true, topics: [String], firstMatch: Bool = false, group: String,
        condition: Condition, location: SourceLocation
    ) {
        self.id = id
        self.description = description
        self.enabled = enabled
        self.topics = topics
        self.firstMatch = firstMatch
        self.group = group
        self.condition = condition
        self.location = location
    }
}

/// A position in a route file, for errors (`file:line:column`).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's path as given to the loader (relative to the routes folder where possible).
    public var file: String
    /// From 1.
    public var line: Int
    /// From 1, counting Unicode scalars (as libyaml does).
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
