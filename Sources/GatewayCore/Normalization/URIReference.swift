/// Helpers for the URI-references envelopes use as `source`.
public enum URIReference {
    /// Joins path segments into `/a/b/c`, percent-encoding each segment (RFC 3986 `pchar`), so that
    /// names with spaces, slashes or non-ASCII letters still make a valid URI-reference.
    public static func path(_ segments: String...) -> String {
        path(segments)
    }

    public static func path(_ segments: [String]) -> String {
        // Nearly every segment needs no escaping: copy them in one pass when that holds.
        if let plain = plainPath(segments) { return plain }
        // One allocation: measure the encoded length, then write the bytes in place.
        let length = segments.reduce(0) { $0 + 1 + encodedLength($1) }
        return String(unsafeUninitializedCapacity: length) { buffer in
            var position = 0
            for segment in segments {
                buffer[position] = UInt8(ascii: "/")
                position += 1
                write(segment, to: buffer, at: &position)
            }
            return position
        }
    }

    /// `/a/b/c` when no segment needs escaping, else nil.
    private static func plainPath(_ segments: [String]) -> String? {
        var plain = true
        let path = String(unsafeUninitializedCapacity: segments.reduce(0) { $0 + 1 + $1.utf8.count }) { buffer in
            var position = 0
            for segment in segments {
                buffer[position] = UInt8(ascii: "/")
                position += 1
                plain = segment.withUTF8Buffer { bytes in
                    for byte in bytes {
                        guard isPathCharacter(byte) else { return false }
                        buffer[position] = byte
                        position += 1
                    }
                    return true
                }
                guard plain else { return 0 }
            }
            return position
        }
        return plain ? path : nil
    }

    /// Percent-encodes everything but unreserved characters, sub-delimiters, `:` and `@`.
    public static func encodeSegment(_ segment: String) -> String {
        String(unsafeUninitializedCapacity: encodedLength(segment)) { buffer in
            var position = 0
            write(segment, to: buffer, at: &position)
            return position
        }
    }

    private static func encodedLength(_ segment: String) -> Int {
        segment.withUTF8Buffer { bytes in bytes.reduce(0) { $0 + (isPathCharacter($1) ? 1 : 3) } }
    }

    private static func write(_ segment: String, to buffer: UnsafeMutableBufferPointer<UInt8>, at position: inout Int) {
        segment.withUTF8Buffer { bytes in write(bytes, to: buffer, at: &position) }
    }

    private static func write(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: UnsafeMutableBufferPointer<UInt8>, at position: inout Int) {
        for byte in bytes {
            if isPathCharacter(byte) {
                buffer[position] = byte
                position += 1
            } else {
                buffer[position] = UInt8(ascii: "%")
                buffer[position + 1] = hexDigit(byte >> 4)
                buffer[position + 2] = hexDigit(byte & 0x0F)
                position += 3
            }
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    /// Decodes `%XX` escapes, and `+` as a space when `plusAsSpace` (the S3/OBS object key convention).
    ///
    /// - Returns: nil when an escape is malformed or the result is not UTF-8.
    public static func percentDecode(_ text: String, plusAsSpace: Bool = false) -> String? {
        // Most texts have nothing to decode, and a String is valid UTF-8 already: keep it as it is.
        let untouched = text.withUTF8Buffer { bytes in
            !bytes.contains { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }
        }
        if untouched { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
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

    /// RFC 3986 `pchar` without `%`: unreserved, sub-delimiters, `:` and `@`.
    ///
    /// Bit n of the masks is set when byte n is one (`0-9 ! $ & ' ( ) * + , - . : ; =` below 64, `@ A-Z _
    /// a-z ~` above): two shifts instead of a chain of range tests for every byte of every source.
    private static func isPathCharacter(_ byte: UInt8) -> Bool {
        let low: UInt64 = 0x2fff_7fd2_0000_0000
        let high: UInt64 = 0x47ff_fffe_87ff_ffff
        return byte < 64 ? low >> byte & 1 == 1 : byte < 128 && high >> (byte - 64) & 1 == 1
    }
}

extension String {
    /// Runs `body` over the UTF-8 bytes in contiguous memory; much faster than walking `utf8` byte by
    /// byte, which has to unpack small strings at every step.
    public func withUTF8Buffer<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        // Native and small strings lend their bytes directly; copying the String first would cost a
        // retain and a release.
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
