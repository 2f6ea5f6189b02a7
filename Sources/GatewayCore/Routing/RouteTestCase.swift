/// One entry of a route file's `tests:`: an event, and the routes or topics it must yield.
public struct RouteTestCase: Sendable {
    /// An inline event (JSON), or a file with one, resolved against the route file's folder.
    public enum Event: Sendable {
        case inline(RawJSON)
        case file(String)
    }

    public var name: String?
    public var event: Event
    /// Normalization context for the event: a dialect to decode with, headers, a request path.
    public var dialect: String?
    public var headers: EventHeaders
    public var path: String?
    /// Check only the envelope at this position (from 0); nil checks every envelope of the event.
    public var envelope: Int?
    /// The route ids that must match, exactly (order ignored); nil leaves them unchecked.
    public var expectedRoutes: [String]?
    /// The topics that must result, exactly (order ignored); nil leaves them unchecked.
    public var expectedTopics: [String]?
    /// Where the test starts.
    public var location: SourceLocation

    public init(
        name: String? = nil, event: Event, dialect: String? = nil, headers: EventHeaders = [], path: String? = nil, envelope: Int? = nil,
        expectedRoutes: [String]?, expectedTopics: [String]?, location: SourceLocation
    ) {
        self.name = name
        self.event = event
        self.dialect = dialect
        self.headers = headers
        self.path = path
        self.envelope = envelope
        self.expectedRoutes = expectedRoutes
        self.expectedTopics = expectedTopics
        self.location = location
    }
}
