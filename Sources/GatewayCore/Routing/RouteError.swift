/// A problem in a route file: where, what, and (when a likely mistake is known) a hint.
public struct RouteError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public var hint: String?

    public init(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// `file:line:column: message (hint: ...)`.
    public var description: String {
        "\(location): \(message)" + (hint.map { " (hint: \($0))" } ?? "")
    }
}

/// Every problem found while loading a route table, in file, line and column order.
public struct RouteErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [RouteError]

    public init(_ errors: [RouteError]) {
        self.errors = errors.sorted { ($0.location.file, $0.location.line, $0.location.column) < ($1.location.file, $1.location.line, $1.location.column) }
    }

    /// One error per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
