import Foundation

/// Unicode case folding for `ignore-case` tests: `Straße` equals `STRASSE`, `ǅ` equals `ǆ`.
enum CaseFolding {
    /// The folded text; ASCII is folded without Foundation.
    static func fold(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) ? text.lowercased() : text
        }
        return text.folding(options: [.caseInsensitive], locale: nil)
    }

    /// An ASCII byte, lowercased.
    static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
