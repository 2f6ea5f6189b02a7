import Yams

/// Typed values of route files: strings, booleans, sequences, exact numbers, inline JSON.
extension RouteFileParser {
    /// A string value (`key: text`); numbers, booleans and null are refused with a quoting hint.
    mutating func string(_ node: Node, _ key: String) -> String? {
        var hint: String?
        switch Self.scalarKind(node) {
        case .string(let text): return text
        case .number(let text): hint = "quote it to make it a string: \(key): \"\(text)\""
        case .bool(let flag): hint = "quote it to make it a string: \(key): \"\(flag)\""
        case .null, nil: break
        }
        error(node, "\(key): expected a string, found \(Self.describe(node))", hint: hint)
        return nil
    }

    /// A non-empty string value.
    mutating func nonEmptyString(_ node: Node, _ key: String) -> String? {
        guard let text = string(node, key) else { return nil }
        guard !text.isEmpty else {
            error(node, "\(key): must not be empty")
            return nil
        }
        return text
    }

    /// `true` or `false`; `yes`, `no`, `on` and `off` are strings and get a hint.
    mutating func bool(_ node: Node, _ key: String) -> Bool? {
        if case .bool(let flag) = Self.scalarKind(node) { return flag }
        var hint: String?
        if case .string(let text) = Self.scalarKind(node), ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) {
            hint = "only true and false are booleans in route files; yes, no, on and off are strings"
        }
        error(node, "\(key): expected true or false, found \(Self.describe(node))", hint: hint)
        return nil
    }

    /// A sequence's elements (null counts as empty when `nullIsEmpty`).
    mutating func sequence(_ node: Node, _ key: String, nullIsEmpty: Bool = false) -> [Node]? {
        if case .sequence(let sequence) = node { return Array(sequence) }
        if nullIsEmpty, case .null = Self.scalarKind(node) { return [] }
        error(node, "\(key): expected a sequence, found \(Self.describe(node))")
        return nil
    }

    /// A sequence of strings.
    mutating func strings(_ node: Node, _ key: String) -> [(String, Node)]? {
        guard let elements = sequence(node, key) else { return nil }
        var result: [(String, Node)] = []
        var failed = false
        for element in elements {
            if let text = nonEmptyString(element, key) { result.append((text, element)) } else { failed = true }
        }
        return failed ? nil : result
    }

    /// A YAML number as an exact decimal. Hex, octal, binary, leading zeros, `_` separators, `.inf` and
    /// `.nan` are refused: they are not what a route author means by a threshold.
    mutating func decimal(_ text: String, _ node: Node) -> DecimalNumber? {
        let unsigned = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        let integerPart = unsigned.prefix { $0 != "." && $0 != "e" && $0 != "E" }
        let leadingZero = integerPart.count > 1 && integerPart.first == "0"
        if !leadingZero, !text.contains("_"), let number = DecimalNumber(text) { return number }
        let infinite = unsigned.lowercased() == ".inf" || unsigned.lowercased() == ".nan"
        error(node, "\(text) is not a finite decimal number", hint: infinite ? nil : "quote it to match the text: \"\(text)\"")
        return nil
    }

    /// Converts a YAML node to JSON (an inline test event).
    mutating func json(_ node: Node) -> JSONValue? {
        switch node {
        case .scalar:
            switch Self.scalarKind(node) {
            case .null, nil: return .null
            case .bool(let flag): return .bool(flag)
            case .string(let text): return .string(text)
            case .number(let text):
                guard let number = decimal(text, node) else { return nil }
                return .number(JSONNumber(unchecked: Self.isJSONNumber(text) ? text : number.description))
            }
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            var failed = false
            for element in sequence {
                if let value = json(element) { elements.append(value) } else { failed = true }
            }
            return failed ? nil : .array(elements)
        case .mapping(let mapping):
            var members: [JSONValue.Member] = []
            var failed = false
            for (key, value) in mapping {
                guard let name = keyText(key), let converted = json(value) else {
                    failed = true
                    continue
                }
                members.append(JSONValue.Member(name, converted))
            }
            return failed ? nil : .object(members)
        case .alias:
            error(node, "unexpected alias")
            return nil
        }
    }

    /// Whether `text` is a number in JSON's own syntax (`-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?`).
    static func isJSONNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let first = bytes.first
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || first != UInt8(ascii: "0") else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
