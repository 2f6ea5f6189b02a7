import Foundation

/// Unicode case folding for `ignore-case` tests: `Straße` equals `STRASSE`, `ǅ` equals `ǆ`.
///
/// Folded text is compared byte for byte, like all text in routes. Foundation's folding is the
/// reference, but it costs microseconds a call; it folds scalar by scalar, so its result for every
/// cased scalar is taken once into a table and text is folded from that.
enum CaseFolding {
    /// The folded text's UTF-8 bytes.
    static func foldedUTF8(_ text: String) -> [UInt8] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.map(lowercase) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                bytes.append(lowercase(UInt8(scalar.value)))
            } else if let range = table.ranges[scalar.value] {
                bytes.append(contentsOf: table.bytes[Int(range.lowerBound)..<Int(range.upperBound)])
            } else {
                bytes.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        return bytes
    }

    /// An ASCII byte, lowercased.
    static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Builds the table now rather than on the first non-ASCII event (it takes some milliseconds).
    static func prepare() {
        _ = table
    }

    /// The folding of every non-ASCII scalar that folding changes: its UTF-8 bytes' range in `bytes`.
    private static let table: (ranges: [UInt32: Range<Int32>], bytes: [UInt8]) = {
        var ranges: [UInt32: Range<Int32>] = [:]
        var bytes: [UInt8] = []
        // Every cased scalar lies in the first two planes.
        for value in UInt32(0x80)..<0x2_0000 {
            guard let scalar = Unicode.Scalar(value),
                scalar.properties.changesWhenCaseFolded || scalar.properties.changesWhenCaseMapped
            else { continue }
            let original = String(scalar)
            let folded = original.folding(options: [.caseInsensitive], locale: nil)
            guard folded != original || !folded.utf8.elementsEqual(original.utf8) else { continue }
            ranges[value] = Int32(bytes.count)..<Int32(bytes.count + folded.utf8.count)
            bytes += folded.utf8
        }
        return (ranges, bytes)
    }()
}
