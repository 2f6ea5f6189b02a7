/// A decimal number, exact at any magnitude: `35`, `3.5e1` and `35.000` are one value.
///
/// Routes compare numbers as decimals, not as binary floating point and not as text, so a threshold
/// of `0.1` or `1e-300` or `90012.00` means exactly what it says.
public struct DecimalNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Negative (zero is never negative).
    let negative: Bool
    /// Significant digits without leading or trailing zeros; empty for zero.
    let digits: [UInt8]
    /// The value is `0.d1d2d3... × 10^exponent`.
    let exponent: Int

    /// Parses `[-+]digits[.digits][e[-+]digits]` (also `.5` and `5.`), the JSON and YAML decimal forms.
    /// Exponents beyond ±1,000,000,000 are refused.
    public init?(_ text: some StringProtocol) {
        // Routing parses a number per event and field: read the text in place, allocate only the digits.
        let parsed = text.utf8.withContiguousStorageIfAvailable(Self.parse) ?? Array(text.utf8).withUnsafeBufferPointer(Self.parse)
        guard let parsed else { return nil }
        self = parsed
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> DecimalNumber? {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        let mantissaStart = index
        // Digits are counted by ordinal (the point skipped): the integer part's, the first and last nonzero.
        var ordinal = 0
        var integerDigits: Int?
        var firstNonzero: Int?
        var lastNonzero = 0
        while index < bytes.count, bytes[index] != UInt8(ascii: "e"), bytes[index] != UInt8(ascii: "E") {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ".") {
                guard integerDigits == nil else { return nil }
                integerDigits = ordinal
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if byte != UInt8(ascii: "0") {
                    firstNonzero = firstNonzero ?? ordinal
                    lastNonzero = ordinal
                }
                ordinal += 1
            } else {
                return nil
            }
        }
        guard ordinal > 0, let exponent = exponent(bytes, from: index) else { return nil }
        guard let firstNonzero else { return DecimalNumber(negative: false, digits: [], exponent: 0) }
        let digits = [UInt8](unsafeUninitializedCapacity: lastNonzero - firstNonzero + 1) { buffer, count in
            var ordinal = 0
            for byte in bytes[mantissaStart..<index] where byte != UInt8(ascii: ".") {
                if ordinal >= firstNonzero, ordinal <= lastNonzero {
                    buffer[count] = byte - UInt8(ascii: "0")
                    count += 1
                }
                ordinal += 1
            }
        }
        return DecimalNumber(negative: negative, digits: digits, exponent: (integerDigits ?? ordinal) - firstNonzero + exponent)
    }

    /// The `e[-+]digits` part from `index` (0 when absent); nil when malformed or beyond ±1,000,000,000.
    private static func exponent(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int) -> Int? {
        var index = index
        guard index < bytes.count else { return 0 }
        index += 1
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < bytes.count else { return nil }
        var exponent = 0
        for byte in bytes[index...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), exponent < 1_000_000_000 else { return nil }
            exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return negative ? -exponent : exponent
    }

    private init(negative: Bool, digits: [UInt8], exponent: Int) {
        self.negative = negative
        self.digits = digits
        self.exponent = exponent
    }

    public init(_ value: Int) {
        self.init(String(value))!
    }

    public var isZero: Bool { digits.isEmpty }

    public static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        if lhs.negative != rhs.negative { return lhs.negative }
        let magnitudeLess = Self.magnitudeLess(lhs, rhs)
        let magnitudeGreater = Self.magnitudeLess(rhs, lhs)
        return lhs.negative ? magnitudeGreater : magnitudeLess
    }

    /// |lhs| < |rhs|.
    private static func magnitudeLess(_ lhs: DecimalNumber, _ rhs: DecimalNumber) -> Bool {
        if lhs.isZero || rhs.isZero { return lhs.isZero && !rhs.isZero }
        if lhs.exponent != rhs.exponent { return lhs.exponent < rhs.exponent }
        return lhs.digits.lexicographicallyPrecedes(rhs.digits)
    }

    /// Plain notation for moderate exponents (`35`, `0.001`, `-12.5`), scientific beyond (`1e300`).
    public var description: String {
        guard !isZero else { return "0" }
        let text = digits.map { String($0) }.joined()
        let sign = negative ? "-" : ""
        if exponent > 21 || exponent < -6 {
            let mantissa = text.count > 1 ? String(text.prefix(1)) + "." + text.dropFirst() : text
            return sign + mantissa + "e" + String(exponent - 1)
        }
        if exponent <= 0 { return sign + "0." + String(repeating: "0", count: -exponent) + text }
        if exponent >= text.count { return sign + text + String(repeating: "0", count: exponent - text.count) }
        return sign + text.prefix(exponent) + "." + text.dropFirst(exponent)
    }
}
