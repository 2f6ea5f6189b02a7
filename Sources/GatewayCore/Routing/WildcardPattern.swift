/// A wildcard pattern: `*` matches any run of characters (also none), `\*` a literal star, `\\` a
/// backslash.
///
/// Matching runs in time proportional to the value's length times the pattern's, with one backtrack
/// point. Patterns are still limited to ``maximumStars`` stars and may not repeat `**`: routing
/// compiles many patterns into one index, and every star multiplies the places a value is checked.
public struct WildcardPattern: Sendable, Hashable, CustomStringConvertible {
    public static let maximumStars = 8

    /// The literal runs between stars; a pattern of n stars has n + 1 runs.
    public let segments: [[UInt8]]
    /// The pattern as written.
    public let text: String

    /// Why a pattern is refused.
    public struct Problem: Error, Sendable, Hashable {
        public var message: String
    }

    public init(_ text: String) throws(Problem) {
        var segments: [[UInt8]] = [[]]
        var bytes = Array(text.utf8).makeIterator()
        var previousWasStar = false
        while let byte = bytes.next() {
            switch byte {
            case UInt8(ascii: "\\"):
                guard let escaped = bytes.next(), escaped == UInt8(ascii: "*") || escaped == UInt8(ascii: "\\") else {
                    throw Problem(message: "a backslash in a wildcard must escape \"*\" or \"\\\\\"")
                }
                segments[segments.count - 1].append(escaped)
                previousWasStar = false
            case UInt8(ascii: "*"):
                guard !previousWasStar else { throw Problem(message: "\"**\" is the same as \"*\"; write one star") }
                segments.append([])
                previousWasStar = true
            default:
                segments[segments.count - 1].append(byte)
                previousWasStar = false
            }
        }
        guard segments.count - 1 <= Self.maximumStars else {
            throw Problem(
                message: "the pattern has \(segments.count - 1) stars; at most \(Self.maximumStars) are allowed, as every star multiplies matching cost across the route table")
        }
        self.segments = segments
        self.text = text
    }

    public var description: String { text }

    /// Whether there is no star (the pattern is an exact value).
    public var isLiteral: Bool { segments.count == 1 }

    /// Whether `value` matches the whole pattern.
    public func matches(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        let first = segments[0]
        let last = segments[segments.count - 1]
        guard value.count >= first.count + (segments.count > 1 ? last.count : 0) else { return false }
        guard Self.hasPrefix(value, first, at: 0) else { return false }
        if segments.count == 1 { return value.count == first.count }
        guard Self.hasPrefix(value, last, at: value.count - last.count) else { return false }
        // The middle runs, leftmost first: taking the earliest match of each never rules out a match.
        var position = first.count
        let end = value.count - last.count
        for segment in segments[1..<(segments.count - 1)] {
            guard let found = Self.find(segment, in: value, from: position, before: end) else { return false }
            position = found + segment.count
        }
        return position <= end
    }

    private static func hasPrefix(_ value: UnsafeBufferPointer<UInt8>, _ literal: [UInt8], at start: Int) -> Bool {
        for (offset, byte) in literal.enumerated() where value[start + offset] != byte { return false }
        return true
    }

    private static func find(_ literal: [UInt8], in value: UnsafeBufferPointer<UInt8>, from start: Int, before end: Int) -> Int? {
        guard !literal.isEmpty else { return start }
        var candidate = start
        while candidate + literal.count <= end {
            if hasPrefix(value, literal, at: candidate) { return candidate }
            candidate += 1
        }
        return nil
    }
}
