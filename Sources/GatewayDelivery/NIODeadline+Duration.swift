import NIOCore

extension NIODeadline {
    /// The deadline `duration` from now, at most a year away (so that a huge timeout cannot overflow).
    static func after(_ duration: Duration) -> NIODeadline {
        let yearInNanoseconds: Int64 = 365 * 24 * 3600 * 1_000_000_000
        return .now() + .nanoseconds(min(max(duration.nanoseconds, 0), yearInNanoseconds))
    }
}
