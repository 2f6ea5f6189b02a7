/// Where a retry's delay falls within the backoff's range: a source of numbers in `[0, 1]`.
///
/// ``full`` is random (full jitter, so that failed calls do not return in step); tests inject a fixed
/// fraction so that delays are exact.
public struct Jitter: Sendable {
    private let source: @Sendable () -> Double

    /// - Parameter source: Returns a number in `[0, 1]`; others are clamped.
    public init(_ source: @escaping @Sendable () -> Double) {
        self.source = source
    }

    /// A uniformly random fraction.
    public static let full = Jitter { Double.random(in: 0...1) }

    /// Always `fraction`: 1 gives the backoff's upper bound, 0 retries at once.
    public static func fixed(_ fraction: Double) -> Jitter { Jitter { fraction } }

    /// The next fraction.
    public func next() -> Double { min(1, max(0, source())) }
}
