extension Timestamp {
    /// Parses strict RFC 3339, as CloudEvents requires: `2018-04-05T17:31:00Z`, `...00.123456789+01:00`.
    ///
    /// Rejects a missing seconds field, `X` or hour-only offsets and offsets beyond ±23:59.
    public init?(rfc3339 text: String) {
        let value = text.withUTF8Buffer { bytes -> Timestamp? in
            var scanner = TimeScanner(bytes)
            guard let value = scanner.iso(strict: true), scanner.atEnd else { return nil }
            return value
        }
        guard let value else { return nil }
        self = value
    }

    /// Parses a time in any form the supported sources write:
    ///
    /// - RFC 3339, with or without a fraction (up to 9 digits kept), `Z` or an offset;
    ///   also with a space for `T` and `+0800` style offsets;
    /// - Go's `time.Time.String()`: `2021-09-02 18:29:17.118082213 +0000 UTC`, with or without ` m=+0.1`;
    /// - JavaScript's `Date.toString()`: `Wed Nov 15 2017 12:00:00 GMT+0800 (CST)` (the offset wins over the name);
    /// - FunctionGraph CTS: `2018/06/26 08:54:07 GMT+08:00`;
    /// - RFC 5322 mail dates: `Thu, 15 Sep 2022 17:42:23 +0300`;
    /// - a decimal count since the epoch, its unit guessed by ``init(epoch:)``.
    ///
    /// A time without an offset or zone is refused: its instant is unknown.
    public init?(parsing text: String) {
        guard let value = text.withUTF8Buffer(Timestamp.parse) else { return nil }
        self = value
    }

    /// ``init(parsing:)`` over UTF-8 bytes.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var scanner = TimeScanner(bytes)
        scanner.skipSpaces()
        let value: Timestamp?
        switch scanner.shape {
        case .epoch: value = scanner.epoch()
        case .iso: value = scanner.iso(strict: false)
        case .slashed: value = scanner.slashed()
        case .javaScript: value = scanner.javaScript()
        case .mail: value = scanner.mail()
        case .unknown: value = nil
        }
        scanner.skipSpaces()
        guard let value, scanner.atEnd else { return nil }
        return value
    }

    /// An instant from calendar fields in a zone `offset` seconds east of UTC; nil when a field is out of range.
    static func make(
        year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, nanoseconds: Int32 = 0, offset: Int64
    ) -> Timestamp? {
        guard years.contains(Int(year)), (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let local = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        return Timestamp(seconds: local - offset, nanoseconds: nanoseconds)
    }
}

/// A cursor over the bytes of a time string.
struct TimeScanner {
    enum Shape { case epoch, iso, slashed, javaScript, mail, unknown }

    /// Borrowed for the scan only.
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var atEnd: Bool { position == bytes.count }

    /// Guesses the format from the first characters.
    var shape: Shape {
        let rest = bytes[position...]
        guard let first = rest.first else { return .unknown }
        if isDigit(first) || first == UInt8(ascii: "-") {
            if rest.dropFirst().allSatisfy(isDigit) { return .epoch }
            guard rest.count > 4 else { return .unknown }
            switch rest[position + 4] {
            case UInt8(ascii: "-"): return .iso
            case UInt8(ascii: "/"): return .slashed
            default: return .mail
            }
        }
        guard isLetter(first) else { return .unknown }
        let word = rest.prefix(while: isLetter)
        return rest.dropFirst(word.count).first == UInt8(ascii: ",") ? .mail : .javaScript
    }

    mutating func epoch() -> Timestamp? {
        let negative = accept(UInt8(ascii: "-"))
        guard let value = integer(maxDigits: 19) else { return nil }
        return Timestamp(epoch: negative ? -value : value)
    }

    /// `YYYY-MM-DD(T|t| )HH:MM:SS(.fraction)` and a zone; strict allows only RFC 3339's `Z` or `±HH:MM`.
    mutating func iso(strict: Bool) -> Timestamp? {
        guard let year = integer(digits: 4), accept(UInt8(ascii: "-")), let month = integer(digits: 2),
            accept(UInt8(ascii: "-")), let day = integer(digits: 2)
        else { return nil }
        guard accept(UInt8(ascii: "T")) || accept(UInt8(ascii: "t")) || (!strict && accept(UInt8(ascii: " "))) else { return nil }
        guard let (hour, minute, second, nanoseconds) = clock(fraction: true) else { return nil }
        let offset: Int64?
        if strict {
            offset = accept(UInt8(ascii: "Z")) || accept(UInt8(ascii: "z")) ? 0 : numericOffset(colon: .required)
        } else {
            skipSpaces()
            offset = zone()
            goSuffix()
        }
        guard let offset else { return nil }
        return Timestamp.make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanoseconds: nanoseconds, offset: offset)
    }

    /// FunctionGraph CTS: `2018/06/26 08:54:07 GMT+08:00`.
    mutating func slashed() -> Timestamp? {
        guard let year = integer(digits: 4), accept(UInt8(ascii: "/")), let month = integer(minDigits: 1, maxDigits: 2),
            accept(UInt8(ascii: "/")), let day = integer(minDigits: 1, maxDigits: 2), accept(UInt8(ascii: " "))
        else { return nil }
        guard let (hour, minute, second, nanoseconds) = clock(fraction: true) else { return nil }
        skipSpaces()
        guard let offset = zone() else { return nil }
        return Timestamp.make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanoseconds: nanoseconds, offset: offset)
    }

    /// JavaScript `Date.toString()`: `Wed Nov 15 2017 12:00:00 GMT+0800 (China Standard Time)`.
    mutating func javaScript() -> Timestamp? {
        guard weekday() != nil, accept(UInt8(ascii: " ")), let month = monthName(), accept(UInt8(ascii: " ")),
            let day = integer(minDigits: 1, maxDigits: 2), accept(UInt8(ascii: " ")), let year = integer(digits: 4),
            accept(UInt8(ascii: " ")), let (hour, minute, second, _) = clock(fraction: false)
        else { return nil }
        skipSpaces()
        guard let offset = zone() else { return nil }
        comment()
        return Timestamp.make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: offset)
    }

    /// RFC 5322: `Thu, 15 Sep 2022 17:42:23 +0300`, the weekday and the seconds optional.
    mutating func mail() -> Timestamp? {
        if isLetter(bytes[position]) {
            guard weekday() != nil, accept(UInt8(ascii: ",")) else { return nil }
            skipSpaces()
        }
        guard let day = integer(minDigits: 1, maxDigits: 2), accept(UInt8(ascii: " ")), let month = monthName(),
            accept(UInt8(ascii: " ")), let year = integer(digits: 4), accept(UInt8(ascii: " ")),
            let hour = integer(digits: 2), accept(UInt8(ascii: ":")), let minute = integer(digits: 2)
        else { return nil }
        var second: Int64 = 0
        if accept(UInt8(ascii: ":")) {
            guard let value = integer(digits: 2) else { return nil }
            second = value
        }
        skipSpaces()
        guard let offset = zone() else { return nil }
        comment()
        return Timestamp.make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: offset)
    }

    // MARK: Pieces

    /// `HH:MM:SS` and, when allowed, `.fraction`; digits beyond nanoseconds are dropped.
    private mutating func clock(fraction: Bool) -> (Int64, Int64, Int64, Int32)? {
        guard let hour = integer(digits: 2), accept(UInt8(ascii: ":")), let minute = integer(digits: 2),
            accept(UInt8(ascii: ":")), let second = integer(digits: 2)
        else { return nil }
        var nanoseconds: Int32 = 0
        if fraction, accept(UInt8(ascii: ".")) {
            var digits = 0
            while position < bytes.count, isDigit(bytes[position]) {
                if digits < 9 { nanoseconds = nanoseconds * 10 + Int32(bytes[position] - UInt8(ascii: "0")) }
                digits += 1
                position += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanoseconds *= 10 }
        }
        return (hour, minute, second, nanoseconds)
    }

    private enum Colon { case required, optional }

    /// `±HH:MM`, or `±HHMM` when the colon is optional; seconds east of UTC.
    private mutating func numericOffset(colon: Colon) -> Int64? {
        let sign: Int64
        if accept(UInt8(ascii: "+")) { sign = 1 } else if accept(UInt8(ascii: "-")) { sign = -1 } else { return nil }
        guard let hours = integer(digits: 2), hours <= 23 else { return nil }
        let hasColon = accept(UInt8(ascii: ":"))
        if colon == .required, !hasColon { return nil }
        guard let minutes = integer(digits: 2), minutes <= 59 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// A zone: `Z`, a numeric offset, `UTC`/`GMT`/`UT` optionally followed by an offset, or a US zone name.
    private mutating func zone() -> Int64? {
        if accept(UInt8(ascii: "Z")) || accept(UInt8(ascii: "z")) { return 0 }
        if let offset = numericOffset(colon: .optional) { return offset }
        let start = position
        let name = String(decoding: bytes[position...].prefix(while: isLetter), as: UTF8.self).uppercased()
        position += name.utf8.count
        switch name {
        case "UTC", "GMT", "UT":
            return numericOffset(colon: .optional) ?? 0
        default:
            if let hours = Self.usZones[name] { return hours * 3600 }
            position = start
            return nil
        }
    }

    /// Go's trailing zone abbreviation and monotonic clock reading: ` UTC m=+260285.403254765`.
    ///
    /// Go names a zone by 2 to 5 capital letters (`UTC`, `CEST`) or, lacking a name, by its signed hour
    /// offset (`+03`); anything else after the offset is left for the caller to refuse.
    private mutating func goSuffix() {
        let save = position
        skipSpaces()
        if accept(UInt8(ascii: "+")) || accept(UInt8(ascii: "-")) {
            let digits = bytes[position...].prefix(while: isDigit).count
            position += digits
            guard (2...4).contains(digits) else { position = save; return }
        } else {
            let letters = bytes[position...].prefix { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }.count
            position += letters
            guard (2...5).contains(letters) else { position = save; return }
        }
        guard position == bytes.count || bytes[position] == UInt8(ascii: " ") else {
            position = save
            return
        }
        let afterZone = position
        skipSpaces()
        guard accept(UInt8(ascii: "m")) else { position = afterZone; return }
        guard accept(UInt8(ascii: "=")), accept(UInt8(ascii: "+")) || accept(UInt8(ascii: "-")) else { position = afterZone; return }
        while position < bytes.count, isDigit(bytes[position]) || bytes[position] == UInt8(ascii: ".") { position += 1 }
    }

    /// A parenthesized zone name after the offset: ` (CST)`.
    private mutating func comment() {
        skipSpaces()
        guard accept(UInt8(ascii: "(")) else { return }
        while position < bytes.count, bytes[position] != UInt8(ascii: ")") { position += 1 }
        _ = accept(UInt8(ascii: ")"))
    }

    private mutating func weekday() -> Int? {
        guard position + 3 <= bytes.count else { return nil }
        let word = String(decoding: bytes[position..<position + 3], as: UTF8.self).lowercased()
        guard let index = Self.weekdays.firstIndex(of: word) else { return nil }
        position += 3
        return index
    }

    private mutating func monthName() -> Int64? {
        guard position + 3 <= bytes.count else { return nil }
        let word = String(decoding: bytes[position..<position + 3], as: UTF8.self).lowercased()
        guard let index = Self.months.firstIndex(of: word) else { return nil }
        position += 3
        return Int64(index + 1)
    }

    private mutating func integer(digits: Int) -> Int64? {
        integer(minDigits: digits, maxDigits: digits)
    }

    private mutating func integer(minDigits: Int = 1, maxDigits: Int) -> Int64? {
        var value: Int64 = 0
        var count = 0
        while count < maxDigits, position < bytes.count, isDigit(bytes[position]) {
            value = value * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
            count += 1
            position += 1
        }
        return count >= minDigits ? value : nil
    }

    private mutating func accept(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == UInt8(ascii: " ") { position += 1 }
    }

    private static let weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    /// RFC 5322's obsolete zone names, the only names with a fixed meaning.
    private static let usZones: [String: Int64] = ["EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7]
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
private func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
