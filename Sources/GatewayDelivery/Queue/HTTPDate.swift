import Foundation

/// HTTP dates (RFC 9110): `Sun, 06 Nov 1994 08:49:37 GMT`, as `Retry-After` may carry them.
enum HTTPDate {
    /// The date, or nil when `text` is not an IMF-fixdate.
    static func parse(_ text: String) -> Date? { formatter().date(from: text) }

    /// `date` as an IMF-fixdate.
    static func format(_ date: Date) -> String { formatter().string(from: date) }

    /// A new formatter each time: `DateFormatter` is not `Sendable`, and retries are not frequent.
    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }
}
