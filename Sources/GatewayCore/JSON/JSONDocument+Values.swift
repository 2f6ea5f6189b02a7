extension JSONDocument {
    /// The decoded text of the string node at `index` (escapes resolved).
    func string(at index: Int) -> String {
        let node = nodes[index]
        let start = Int(node.start) + 1
        let end = Int(node.end) - 1
        if !node.flag {
            return String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self)
        }
        // Written straight into the string's storage: no array of bytes in between.
        return String(unsafeUninitializedCapacity: end - start) { unescape(start, end, into: $0) }
    }

    /// The decoded UTF-8 bytes of the string node at `index`: the bytes of ``string(at:)``, which is
    /// valid UTF-8 as the parser checked it, without making the String.
    func stringBytes(at index: Int) -> [UInt8] {
        let node = nodes[index]
        let start = Int(node.start) + 1
        let end = Int(node.end) - 1
        guard node.flag else { return Array(text[start..<end]) }
        return [UInt8](unsafeUninitializedCapacity: end - start) { buffer, count in count = unescape(start, end, into: buffer) }
    }

    /// Runs `body` over the decoded UTF-8 bytes of the string node at `index`, without making a String
    /// when the text has no escapes.
    func withStringBytes<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let node = nodes[index]
        guard !node.flag else { return string(at: index).withUTF8Buffer(body) }
        return body(UnsafeBufferPointer(rebasing: text[Int(node.start) + 1..<Int(node.end) - 1]))
    }

    /// Whether the string node at `index` equals `text`, compared without building a String when possible.
    func stringEquals(_ index: Int, _ other: String) -> Bool {
        let node = nodes[index]
        if node.flag { return string(at: index) == other }
        let start = Int(node.start) + 1
        let length = Int(node.end) - 1 - start
        // Most names differ in length or first byte: reject those without touching the text's storage.
        return other.withUTF8Buffer { wanted in length == wanted.count && Self.equal(self.text, start, wanted) }
    }

    /// The text of the number node at `index`, as written.
    func numberText(at index: Int) -> Substring {
        Substring(decoding: slice(index), as: UTF8.self)
    }

    /// The integer value of the number node at `index`, or nil when it has a fraction, an exponent or overflows.
    func int64(at index: Int) -> Int64? {
        let node = nodes[index]
        guard node.kind == .number, !node.flag else { return nil }
        var position = Int(node.start)
        let end = Int(node.end)
        let negative = text[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var value: Int64 = 0
        while position < end {
            let digit = Int64(text[position] &- UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
            position += 1
        }
        return value
    }

    /// The number node at `index` as a Double.
    func double(at index: Int) -> Double? {
        guard nodes[index].kind == .number else { return nil }
        return Double(numberText(at: index))
    }

    /// Index of the value of member `key` in the object node at `object`, if present.
    ///
    /// The hottest lookup of decoding: it borrows the node array, the text and the key once, rather
    /// than once per member compared (each borrow of a class's array is a retain and a release).
    func member(_ key: String, of object: Int) -> Int? {
        key.withUTF8Buffer { wanted in
            let container = nodes[object]
            guard container.kind == .object else { return nil }
            var child = object + 1
            let end = Int(container.next)
            while child < end {
                let name = nodes[child]
                let start = Int(name.start) + 1
                let length = Int(name.end) - 1 - start
                if name.flag {
                    if string(at: child).utf8.elementsEqual(wanted) { return child + 1 }
                } else if length == wanted.count, Self.equal(text, start, wanted) {
                    return child + 1
                }
                child = Int(nodes[child + 1].next)
            }
            return nil
        }
    }

    private static func equal(_ text: UnsafeMutableBufferPointer<UInt8>, _ start: Int, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        var offset = 0
        while offset < wanted.count {
            guard text[start + offset] == wanted[offset] else { return false }
            offset += 1
        }
        return true
    }

    /// Indices of the elements of the array node at `array`.
    func elements(of array: Int) -> [Int] {
        let node = nodes[array]
        guard node.kind == .array else { return [] }
        var result: [Int] = []
        result.reserveCapacity(Int(node.count))
        var child = array + 1
        while child < Int(node.next) {
            result.append(child)
            child = Int(nodes[child].next)
        }
        return result
    }

    /// (key node, value node) index pairs of the object node at `object`, in document order.
    func members(of object: Int) -> [(key: Int, value: Int)] {
        let node = nodes[object]
        guard node.kind == .object else { return [] }
        var result: [(key: Int, value: Int)] = []
        result.reserveCapacity(Int(node.count))
        var child = object + 1
        while child < Int(node.next) {
            result.append((child, child + 1))
            child = Int(nodes[child + 1].next)
        }
        return result
    }

    /// A short description of the value at `index` for error messages: a quoted string, a number, or its kind.
    func describe(_ index: Int) -> String {
        let node = nodes[index]
        switch node.kind {
        case .string: return NormalizationError.quote(string(at: index))
        case .number: return "number " + numberText(at: index)
        case .null: return "null"
        case .true: return "true"
        case .false: return "false"
        case .array: return node.count == 0 ? "an empty array" : "an array"
        case .object: return node.count == 0 ? "an empty object" : "an object"
        }
    }

    /// Writes the text between `start` and `end` with its escapes resolved into `out`, which has room
    /// for `end - start` bytes (no escape decodes longer than it is written); returns the count.
    private func unescape(_ start: Int, _ end: Int, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var count = 0
        func put(_ byte: UInt8) {
            out[count] = byte
            count += 1
        }
        var position = start
        while position < end {
            let byte = text[position]
            guard byte == UInt8(ascii: "\\") else {
                put(byte)
                position += 1
                continue
            }
            let code = text[position + 1]
            position += 2
            switch code {
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(position)
                position += 4
                if scalar >= 0xD800, scalar < 0xDC00 {
                    // The parser guaranteed the low surrogate that follows.
                    let low = hex4(position + 2)
                    position += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                forEachUTF8Byte(of: scalar, put)
            default: put(code)
            }
        }
        return count
    }

    private func hex4(_ position: Int) -> UInt32 {
        var value: UInt32 = 0
        for byte in text[position..<position + 4] { value = value << 4 | UInt32(hexValue(byte) ?? 0) }
        return value
    }
}

/// Calls `body` with each byte of the UTF-8 encoding of `scalar`.
func forEachUTF8Byte(of scalar: UInt32, _ body: (UInt8) -> Void) {
    switch scalar {
    case 0..<0x80:
        body(UInt8(scalar))
    case 0x80..<0x800:
        body(UInt8(0xC0 | scalar >> 6))
        body(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
        body(UInt8(0xE0 | scalar >> 12))
        body(UInt8(0x80 | scalar >> 6 & 0x3F))
        body(UInt8(0x80 | scalar & 0x3F))
    default:
        body(UInt8(0xF0 | scalar >> 18))
        body(UInt8(0x80 | scalar >> 12 & 0x3F))
        body(UInt8(0x80 | scalar >> 6 & 0x3F))
        body(UInt8(0x80 | scalar & 0x3F))
    }
}

