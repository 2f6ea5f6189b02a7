/// A stub server could not start, or did not see what a test waited for.
public struct StubError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
