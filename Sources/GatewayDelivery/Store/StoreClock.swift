public import Foundation

/// The wall clock a store reads: due times, leases, the deduplication window and ages.
///
/// Injectable so that tests can move time (a window of ten minutes is not waited out).
public struct StoreClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    /// The system's clock.
    public static let system = StoreClock { Date() }

    public func now() -> Date { read() }
}
