import Foundation
import GatewayCore

/// Reading and writing column values: times as milliseconds since 1970, and the rows' parts (invocations:
/// `SQLDeliveryStore+Definitions.swift`).
extension SQLDeliveryStore {
    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// A span in whole milliseconds, rounded up.
    static func millis(_ duration: Duration) -> Int64 {
        Int64((duration.seconds * 1000).rounded(.up))
    }

    static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// `items` in slices of at most `size`: a statement per slice keeps the values it binds well below
    /// both databases' limits (SQLite's 32,766, PostgreSQL's 65,535).
    static func chunks<Element>(_ items: [Element], of size: Int = 500) -> [ArraySlice<Element>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min(items.count, $0 + size)] }
    }

    /// Column `index` of `row` as an integer.
    static func integer(_ row: [SQLValue], _ index: Int) throws -> Int64 {
        guard index < row.count, let value = row[index].integer else {
            throw StoreError(.unreadable, "expected a number in column \(index) of \(row)")
        }
        return value
    }

    /// Column `index` of `row` as text.
    static func text(_ row: [SQLValue], _ index: Int) throws -> String {
        guard index < row.count, let value = row[index].text else {
            throw StoreError(.unreadable, "expected text in column \(index) of \(row)")
        }
        return value
    }

    /// `count` placeholders, each `item`, comma-separated: `?, ?, ?` for an `IN (...)` list, or rows of
    /// `VALUES` with `item` `(?, ?)`.
    static func placeholders(_ count: Int, each item: String = "?") -> String {
        Array(repeating: item, count: count).joined(separator: ", ")
    }
}
