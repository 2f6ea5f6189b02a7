/// Pieces of HTTP/1.1 syntax (RFC 9110) read over bytes, shared by everything that reads or checks
/// HTTP: posts and functions' answers on the wire, media types, APIG headers, route files.
package enum HTTPSyntax {
    /// Whether `text` is a token: header field names, the parts of media types.
    package static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    /// RFC 9110's `tchar`: visible ASCII but the separators `()<>@,;:\"/[]?={}`.
    package static func isTokenByte(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        return (separators[Int(byte >> 6)] >> UInt64(byte & 63)) & 1 == 0
    }

    /// The separators as a 128-bit set, two words: one test per byte, as header names are read per post.
    private static let separators: [UInt64] = "()<>@,;:\\\"/[]?={}".utf8.reduce(into: [0, 0]) { set, byte in
        set[Int(byte >> 6)] |= 1 << UInt64(byte & 63)
    }

    /// The value of 1 to 18 ASCII digits, as a `Content-Length` holds; nil for anything else (signs,
    /// spaces, nothing, or more digits than an `Int` surely holds).
    package static func decimal(_ digits: UnsafeRawBufferPointer) -> Int? {
        guard (1...18).contains(digits.count) else { return nil }
        var value = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
