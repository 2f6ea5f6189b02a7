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
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var digits: [UInt8] = []
        var pointShift = 0
        var seenDigit = false
        var seenPoint = false
        while let byte = bytes.first, byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                seenDigit = true
                digits.append(byte - UInt8(ascii: "0"))
                if !seenPoint { pointShift += 1 }
            } else {
                return nil
            }
        }
        guard seenDigit else { return nil }
        var exponent = 0
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()
            var exponentNegative = false
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                exponentNegative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty else { return nil }
            for byte in bytes {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), exponent < 1_000_000_000 else { return nil }
                exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
            }
            if exponentNegative { exponent = -exponent }
        }
        // Normalize: drop leading zeros (each moves the point), then trailing zeros.
        var leading = 0
        while leading < digits.count, digits[leading] == 0 { leading += 1 }
        guard leading < digits.count else {
            self.init(negative: false, digits: [], exponent: 0)
            return
        }
        var trailing = digits.count
        while digits[trailing - 1] == 0 { trailing -= 1 }
        self.init(negative: negative, digits: Array(digits[leading..<trailing]), exponent: pointShift - leading + exponent)
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
