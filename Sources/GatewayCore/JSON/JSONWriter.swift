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

    public mutating func integer<T: BinaryInteger>(_ value: T) {
        prefix()
        bytes.append(contentsOf: String(value).utf8)
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
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
