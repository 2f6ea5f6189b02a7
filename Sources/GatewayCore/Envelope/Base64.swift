/// Base64 (RFC 4648) without Foundation: strict about the alphabet, lenient about padding and line breaks.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        // base64url letters decode too (FunctionGraph DIS cursors use them).
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Encodes with padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        encode(Array(bytes))
    }

    /// Encodes with padding. Indexes the array directly: an iterator over a generic collection, not
    /// specialised across modules, made this the costliest step of storing an invocation.
    public static func encode(_ bytes: [UInt8]) -> String {
        let length = (bytes.count + 2) / 3 * 4
        return String(unsafeUninitializedCapacity: length) { out in
            var at = 0
            var index = 0
            func put(_ group: UInt32, _ shift: UInt32) {
                out[at] = alphabet[Int(group >> shift & 63)]
                at += 1
            }
            while index + 3 <= bytes.count {
                let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                put(group, 18)
                put(group, 12)
                put(group, 6)
                put(group, 0)
                index += 3
            }
            let rest = bytes.count - index
            if rest > 0 {
                let second = rest == 2 ? UInt32(bytes[index + 1]) : 0
                let group = UInt32(bytes[index]) << 16 | second << 8
                put(group, 18)
                put(group, 12)
                if rest == 2 { put(group, 6) } else { out[at] = UInt8(ascii: "="); at += 1 }
                out[at] = UInt8(ascii: "=")
                at += 1
            }
            return at
        }
    }

    /// Decodes standard or URL-safe base64; padding may be left out and CR/LF are skipped.
    ///
    /// - Returns: nil when a character is outside the alphabet, padding is misplaced, or a group is cut short.
    public static func decode(_ text: String) -> [UInt8]? {
        text.withUTF8Buffer(decode)
    }

    /// ``decode(_:)`` over UTF-8 bytes read in place (a String's `utf8` view costs a check per byte).
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        // Written into uninitialized storage: appending checked the capacity three times per group.
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: text.count / 4 * 3 + 2) { out, written in
            var at = 0
            var group: UInt32 = 0
            var count = 0
            var padding = 0
            let table = Self.table
            var index = 0
            while index < text.count {
                // Four alphabet characters on a group boundary (nearly all of them) decode at once;
                // anything else (line breaks, padding, bad bytes) goes one byte at a time below.
                if count == 0, padding == 0, index + 4 <= text.count {
                    let (a, b, c, d) = (table[Int(text[index])], table[Int(text[index + 1])], table[Int(text[index + 2])], table[Int(text[index + 3])])
                    // 0xFF, outside the alphabet, is the only table value with the high bit set.
                    if (a | b | c | d) & 0x80 == 0 {
                        let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                        out[at] = UInt8(group >> 16 & 0xFF)
                        out[at + 1] = UInt8(group >> 8 & 0xFF)
                        out[at + 2] = UInt8(group & 0xFF)
                        at += 3
                        index += 4
                        continue
                    }
                }
                let byte = text[index]
                index += 1
                if byte == 0x0A || byte == 0x0D { continue }
                if byte == UInt8(ascii: "=") {
                    padding += 1
                    continue
                }
                let value = table[Int(byte)]
                guard value != 0xFF, padding == 0 else {
                    valid = false
                    break
                }
                group = group << 6 | UInt32(value)
                count += 1
                if count == 4 {
                    out[at] = UInt8(group >> 16 & 0xFF)
                    out[at + 1] = UInt8(group >> 8 & 0xFF)
                    out[at + 2] = UInt8(group & 0xFF)
                    at += 3
                    group = 0
                    count = 0
                }
            }
            switch count {
            case 0: valid = valid && padding == 0
            case 2:
                valid = valid && (padding == 0 || padding == 2)
                out[at] = UInt8(group >> 4 & 0xFF)
                at += 1
            case 3:
                valid = valid && (padding == 0 || padding == 1)
                out[at] = UInt8(group >> 10 & 0xFF)
                out[at + 1] = UInt8(group >> 2 & 0xFF)
                at += 2
            default: valid = false
            }
            written = at
        }
        return valid ? out : nil
    }
}

/// A wire field that must hold base64: decoding fails with `invalid_base64` and the JSON path.
package struct Base64Bytes: DocumentDecodable, Sendable, Hashable {
    package let bytes: [UInt8]

    /// Reads the text in place: it can be long (LTS logs) and is needed only decoded.
    package init(document: JSONDocument, node: Int) throws(NormalizationError) {
        if document[node].kind == .string, let bytes = document.withStringBytes(at: node, Base64.decode) {
            self.init(bytes: bytes)
            return
        }
        let text = try document.readString(at: node)
        throw NormalizationError(
            .invalidBase64, "not valid base64: \(NormalizationError.quote(text))", path: document.path(of: node),
            expected: "base64 text", found: NormalizationError.quote(text))
    }

    package init(from decoder: any Decoder) throws {
        if let decoder = decoder as? DocumentDecoder {
            try self.init(document: decoder.document, node: decoder.node)
            return
        }
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let bytes = Base64.decode(text) else {
            throw NormalizationError(
                .invalidBase64,
                "not valid base64: \(NormalizationError.quote(text))",
                path: nil,
                expected: "base64 text",
                found: NormalizationError.quote(text)
            )
        }
        self.init(bytes: bytes)
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }
}
