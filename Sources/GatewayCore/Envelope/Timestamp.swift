/// An instant with nanosecond precision, written as RFC 3339 in UTC.
///
/// Sources write times in many ways (see ``init(parsing:)``); envelopes carry them as one form:
/// `2019-09-25T15:51:17.872320525Z`, with the fraction cut to 3, 6 or 9 digits, or none when it is zero.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let seconds: Int64
    /// Nanoseconds within the second, 0 to 999,999,999.
    public let nanoseconds: Int32

    /// Years an RFC 3339 time can hold.
    static let years = 1...9999

    /// An instant from its parts; nil when it falls outside years 1 to 9999.
    public init?(seconds: Int64, nanoseconds: Int32 = 0) {
        guard (0..<1_000_000_000).contains(nanoseconds),
            seconds >= Self.firstSecond, seconds <= Self.lastSecond
        else { return nil }
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// An instant from a count since the epoch, its unit guessed from its size: below 10^11 seconds,
    /// below 10^14 milliseconds, below 10^17 microseconds, otherwise nanoseconds.
    public init?(epoch value: Int64) {
        let magnitude = value.magnitude
        let (perSecond, sub): (Int64, Int64) =
            magnitude < 100_000_000_000 ? (1, 1_000_000_000)
            : magnitude < 100_000_000_000_000 ? (1000, 1_000_000)
            : magnitude < 100_000_000_000_000_000 ? (1_000_000, 1000)
            : (1_000_000_000, 1)
        let (whole, rest) = value.quotientAndRemainder(dividingBy: perSecond)
        let (seconds, remainder) = rest < 0 ? (whole - 1, rest + perSecond) : (whole, rest)
        self.init(seconds: seconds, nanoseconds: Int32(remainder * sub))
    }

    /// The RFC 3339 text in UTC.
    public var rfc3339: String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        let digits = nanoseconds == 0 ? 0 : nanoseconds % 1_000_000 == 0 ? 3 : nanoseconds % 1000 == 0 ? 6 : 9
        return String(unsafeUninitializedCapacity: 30) { buffer in
            var position = 0
            func put(_ value: Int64, width: Int) {
                var value = value
                var offset = width - 1
                while offset >= 0 {
                    buffer[position + offset] = UInt8(truncatingIfNeeded: 48 + value % 10)
                    value /= 10
                    offset -= 1
                }
                position += width
            }
            func put(_ byte: UInt8) {
                buffer[position] = byte
                position += 1
            }
            put(year, width: 4)
            put(UInt8(ascii: "-"))
            put(month, width: 2)
            put(UInt8(ascii: "-"))
            put(day, width: 2)
            put(UInt8(ascii: "T"))
            put(secondOfDay / 3600, width: 2)
            put(UInt8(ascii: ":"))
            put(secondOfDay / 60 % 60, width: 2)
            put(UInt8(ascii: ":"))
            put(secondOfDay % 60, width: 2)
            if digits > 0 {
                put(UInt8(ascii: "."))
                put(Int64(nanoseconds) / (digits == 3 ? 1_000_000 : digits == 6 ? 1000 : 1), width: digits)
            }
            put(UInt8(ascii: "Z"))
            return position
        }
    }

    public var description: String { rfc3339 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    static let firstSecond = days(year: 1, month: 1, day: 1) * 86_400
    static let lastSecond = days(year: 9999, month: 12, day: 31) * 86_400 + 86_399

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count from 1970-01-01.
    static func civil(fromDays count: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = count + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
