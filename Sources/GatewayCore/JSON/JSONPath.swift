/// Builds the JSON paths that errors report: `$`, `$.record[0].smn`, `$["x-amz-request-id"]`.
enum JSONPath {
    static let root = "$"

    /// The path of member `key` of the object at `parent`; keys that are not plain identifiers are quoted.
    static func member(_ key: String, of parent: String) -> String {
        if isIdentifier(key) { return parent + "." + key }
        return parent + "[" + NormalizationError.quote(key, limit: 200) + "]"
    }

    /// The path of element `index` of the array at `parent`.
    static func element(_ index: Int, of parent: String) -> String {
        parent + "[\(index)]"
    }

    private static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return key.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
        }
    }
}

extension JSONDocument {
    /// The JSON path of the node at `target`, found by descending from the root.
    ///
    /// Only error paths need it, so decoding carries node indices and pays for paths on failure.
    func path(of target: Int) -> String {
        var path = JSONPath.root
        var index = root
        while index != target {
            let node = nodes[index]
            guard node.kind == .array || node.kind == .object, target < Int(node.next) else { return path }
            var child = index + 1
            var position = 0
            var descended = false
            while child < Int(node.next) {
                if node.kind == .object {
                    let value = child + 1
                    if target == child || (target >= value && target < Int(nodes[value].next)) {
                        path = JSONPath.member(string(at: child), of: path)
                        index = value
                        descended = true
                        break
                    }
                    child = Int(nodes[value].next)
                } else {
                    if target < Int(nodes[child].next) {
                        path = JSONPath.element(position, of: path)
                        index = child
                        descended = true
                        break
                    }
                    child = Int(nodes[child].next)
                }
                position += 1
            }
            if !descended { return path }
        }
        return path
    }

    /// The 1-based line and column of byte `offset`, counting characters, not bytes.
    func location(ofByte offset: Int) -> NormalizationError.Location {
        Self.location(ofByte: offset, in: bytes)
    }

    static func location(ofByte offset: Int, in bytes: [UInt8]) -> NormalizationError.Location {
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return .init(line: line, column: column)
    }
}
