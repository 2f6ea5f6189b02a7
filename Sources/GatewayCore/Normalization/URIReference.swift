/// Helpers for the URI-references envelopes use as `source`.
public enum URIReference {
    /// Joins path segments into `/a/b/c`, percent-encoding each segment (RFC 3986 `pchar`), so that
    /// names with spaces, slashes or non-ASCII letters still make a valid URI-reference.
    public static func path(_ segments: String...) -> String {
        path(segments)
    }

    public static func path(_ segments: [String]) -> String {
        var path = ""
        path.reserveCapacity(segments.reduce(0) { $0 + $1.utf8.count + 1 })
        for segment in segments {
            path += "/"
            path += encodeSegment(segment)
        }
        return path
    }

    /// Percent-encodes everything but unreserved characters, sub-delimiters, `:` and `@`.
    public static func encodeSegment(_ segment: String) -> String {
        // Most names need no escaping: return them as they are.
        guard !segment.utf8.allSatisfy(isPathCharacter) else { return segment }
        var out: [UInt8] = []
        out.reserveCapacity(segment.utf8.count * 3)
        for byte in segment.utf8 {
            if isPathCharacter(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Decodes `%XX` escapes, and `+` as a space when `plusAsSpace` (the S3/OBS object key convention).
    ///
    /// - Returns: nil when an escape is malformed or the result is not UTF-8.
    public static func percentDecode(_ text: String, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Whether `text` starts with a URI scheme (`scheme:`), as an absolute URI must.
    public static func isAbsoluteURI(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
        let scheme = text[..<colon]
        guard let first = scheme.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        else { return false }
        return scheme.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || ( "+-.".unicodeScalars.contains($0)) }
            && !text.contains(where: { $0 == " " || $0.isNewline })
    }

    private static func isPathCharacter(_ byte: UInt8) -> Bool {
        pathCharacters[Int(byte)]
    }

    /// RFC 3986 `pchar` without `%`: unreserved, sub-delimiters, `:` and `@`.
    private static let pathCharacters: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "-._~!$&'()*+,;=:@".utf8.contains(byte)
        }
    }
}
