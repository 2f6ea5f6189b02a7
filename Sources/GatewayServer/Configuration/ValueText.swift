/// Sizes written as bytes or with a binary or decimal unit: `6291456`, `512KiB`, `6MiB`, `1MB`.
enum ByteSize {
    static let units: [(suffix: String, factor: Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
    ]

    static func parse(_ text: String) -> Int? {
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let number = Int(text.dropLast(suffix.count)), number >= 0 else { return nil }
            return number.multipliedReportingOverflow(by: factor).overflow ? nil : number * factor
        }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}

/// Durations written with a unit: `250ms`, `30s`, `2m`, `1h`.
public enum DurationText {
    /// The duration `text` writes; nil when it is not a whole number with one of the units.
    public static func parse(_ text: String) -> Duration? {
        let units: [(String, (Int) -> Duration)] = [
            ("ms", { .milliseconds($0) }), ("s", { .seconds($0) }), ("m", { .seconds($0 * 60) }), ("h", { .seconds($0 * 3600) }),
        ]
        for (suffix, make) in units where text.hasSuffix(suffix) {
            guard let number = Int(text.dropLast(suffix.count)), number >= 0, number <= 1_000_000_000 else { return nil }
            return make(number)
        }
        return nil
    }
}

/// http and https URLs with a host, the only kind the gateway calls.
enum HTTPURL {
    static func isValid(_ text: String) -> Bool {
        for scheme in ["http://", "https://"] where text.lowercased().hasPrefix(scheme) {
            let rest = text.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            let host = authority.split(separator: "@").last.map { $0.split(separator: ":").first ?? "" } ?? ""
            return !host.isEmpty && !text.contains(where: \.isWhitespace)
        }
        return false
    }
}
