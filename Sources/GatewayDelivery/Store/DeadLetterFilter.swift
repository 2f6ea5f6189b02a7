public import Foundation

/// Which dead letters to list or replay; nil properties match all.
public struct DeadLetterFilter: Sendable, Hashable {
    /// A function's address.
    public var function: String?
    /// Dead-lettered at or after.
    public var since: Date?
    /// Dead-lettered before.
    public var until: Date?

    public init(function: String? = nil, since: Date? = nil, until: Date? = nil) {
        self.function = function
        self.since = since
        self.until = until
    }

    /// Every dead letter.
    public static let all = DeadLetterFilter()
}
