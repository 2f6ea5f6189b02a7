/// Writes JSON text into a byte buffer, compact or indented.
///
/// Used for envelopes, error bodies and golden files; the output is deterministic (no Foundation
/// formatting differences between platforms).
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private let indent: Int?
    /// Element counts of the open containers.
    private var counts: [Int] = []
    private var afterKey = false

    /// - Parameter pretty: indent by two spaces and put each member on its own line.
    public init(pretty: Bool = false) {
        self.indent = pretty ? 2 : nil
        bytes.reserveCapacity(256)
    }

    public mutating func beginObject() {
        prefix()
        bytes.append(UInt8(ascii: "{"))
        counts.append(0)
    }

    public mutating func endObject() { close(UInt8(ascii: "}")) }

    public mutating func beginArray() {
        prefix()
        bytes.append(UInt8(ascii: "["))
        counts.append(0)
    }

    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Writes a member name; the next call writes its value.
    public mutating func key(_ name: String) {
        prefix()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        if indent != nil { bytes.append(UInt8(ascii: " ")) }
        afterKey = true
    }

    public mutating func string(_ value: String) {
        prefix()
        appendQuoted(value)
    }

    /// Writes UTF-8 text as a string, without making a `String` of it first.
    public mutating func string(utf8 value: [UInt8]) {
        prefix()
        value.withUnsafeBufferPointer { appendQuoted($0) }
    }

    /// Writes an array of strings.
    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// Writes a member whose value is a string; nothing when the value is nil.
    public mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    /// Writes a member whose value is an integer; nothing when the value is nil.
    public mutating func member<T: BinaryInteger>(_ name: String, _ value: T?) {
        guard let value else { return }
        key(name)
        integer(value)
    }

    public mutating func integer<T: BinaryInteger>(_ value: T) {
        prefix()
        guard let value = Int(exactly: value) else { return bytes.append(contentsOf: String(value).utf8) }
        // Digits written straight into the buffer: `String(value)` for every status and count showed in profiles.
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeMutableBufferPointer(rebasing: digits[start...]))
        }
    }

    public mutating func bool(_ value: Bool) {
        prefix()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        prefix()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Writes a number exactly as given (it must be a valid JSON number).
    mutating func number(text: some Sequence<UInt8>) {
        prefix()
        bytes.append(contentsOf: text)
    }

    /// Writes an already valid JSON value: spliced as is when compact, re-indented when pretty.
    public mutating func raw(_ json: RawJSON) {
        if indent == nil {
            prefix()
            bytes.append(contentsOf: json.bytes)
        } else {
            node(json.document, 0)
        }
    }

    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(text: number.text.utf8)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let members):
            beginObject()
            for member in members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    /// Writes the node at `index` of `document` and everything inside it.
    mutating func node(_ document: JSONDocument, _ index: Int) {
        let node = document[index]
        switch node.kind {
        case .object:
            beginObject()
            for member in document.members(of: index) {
                prefix()
                bytes.append(contentsOf: document.slice(member.key))
                bytes.append(UInt8(ascii: ":"))
                if indent != nil { bytes.append(UInt8(ascii: " ")) }
                afterKey = true
                self.node(document, member.value)
            }
            endObject()
        case .array:
            beginArray()
            for element in document.elements(of: index) { self.node(document, element) }
            endArray()
        default:
            prefix()
            bytes.append(contentsOf: document.slice(index))
        }
    }

    private mutating func prefix() {
        if afterKey {
            afterKey = false
            return
        }
        guard !counts.isEmpty else { return }
        if counts[counts.count - 1] > 0 { bytes.append(UInt8(ascii: ",")) }
        counts[counts.count - 1] += 1
        newline(depth: counts.count)
    }

    private mutating func close(_ bracket: UInt8) {
        let count = counts.removeLast()
        if count > 0 { newline(depth: counts.count) }
        bytes.append(bracket)
    }

    private mutating func newline(depth: Int) {
        guard let indent else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * depth))
    }

    private mutating func appendQuoted(_ text: String) {
        var text = text
        text.withUTF8 { appendQuoted($0) }
    }

    /// Copies runs of plain bytes at once and escapes the rest: per-byte appends made quoting the
    /// costliest part of writing envelopes that nest JSON in strings.
    private mutating func appendQuoted(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var plain = 0
        for index in text.indices {
            let byte = text[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[plain..<index]))
            appendEscaped(byte)
            plain = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[plain...]))
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        default:
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0xF)])
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
