/// Where a route condition looks in an envelope.
///
/// - `id`, `source`, `specversion`, `type`, `subject`, `time`, `datacontenttype`, `dataschema`: attributes;
/// - any other `[a-z0-9]+` name: an extension (`platform`, `tenant`);
/// - `data`, `data.a.b`, `data["a.b"].c`: the payload, by keys (a key with a dot, bracket or quote is
///   written in brackets with double or single quotes). Arrays along the way are entered: the path
///   reaches every element.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Root: Sendable, Hashable {
        case attribute(String)
        case `extension`(String)
        case data
    }

    public var root: Root
    /// Keys below `data`; empty for attributes and extensions.
    public var keys: [String]

    public init(root: Root, keys: [String] = []) {
        self.root = root
        self.keys = keys
    }

    static let attributes: Set<String> = ["id", "source", "specversion", "type", "subject", "time", "datacontenttype", "dataschema"]

    /// Parses the path syntax above.
    ///
    /// - Throws: ``FieldPathError`` with the 0-based character offset of the problem.
    public init(parsing text: String) throws(FieldPathError) {
        var scanner = PathScanner(Array(text.unicodeScalars))
        let head = scanner.name()
        guard !head.isEmpty else {
            throw FieldPathError(offset: 0, message: "a path starts with an attribute, an extension name or data")
        }
        if head == "data" {
            self.init(root: .data, keys: try scanner.keys())
            return
        }
        guard scanner.atEnd else {
            throw FieldPathError(offset: scanner.offset, message: "only data has members: \"\(head)\" is an attribute or extension, write data.\(head)... for the payload")
        }
        if Self.attributes.contains(head) {
            self.init(root: .attribute(head))
        } else if Envelope.isValidAttributeName(head) {
            self.init(root: .extension(head))
        } else {
            throw FieldPathError(
                offset: 0,
                message: "\"\(head)\" is neither an attribute (\(Self.attributes.sorted().joined(separator: ", "))) nor an extension name (lower-case a-z and digits); payload paths start with data.")
        }
    }

    /// The path as written canonically: `type`, `tenant`, `data.a["b.c"]`.
    public var description: String {
        switch root {
        case .attribute(let name), .extension(let name): return name
        case .data:
            return keys.reduce("data") { path, key in
                PathScanner.isPlainKey(key) ? path + "." + key : path + "[" + NormalizationError.quote(key, limit: 1000) + "]"
            }
        }
    }
}

/// A path that does not parse: what is wrong and where (0-based character offset in the path).
public struct FieldPathError: Error, Sendable, Hashable {
    public var offset: Int
    public var message: String
}

private struct PathScanner {
    let scalars: [Unicode.Scalar]
    var offset = 0

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    var atEnd: Bool { offset == scalars.count }

    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar != "." && scalar != "[" && scalar != "]" && scalar != "\"" && scalar != "'" && !scalar.properties.isWhitespace
    }

    static func isPlainKey(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy(isNameScalar)
    }

    mutating func name() -> String {
        var name = String.UnicodeScalarView()
        while offset < scalars.count, Self.isNameScalar(scalars[offset]) {
            name.append(scalars[offset])
            offset += 1
        }
        return String(name)
    }

    /// `.key` and `["key"]` segments up to the end.
    mutating func keys() throws(FieldPathError) -> [String] {
        var keys: [String] = []
        while !atEnd {
            switch scalars[offset] {
            case ".":
                offset += 1
                let key = name()
                guard !key.isEmpty else { throw FieldPathError(offset: offset, message: "expected a key after \".\"; quote keys with dots or spaces as [\"a.b\"]") }
                keys.append(key)
            case "[":
                offset += 1
                keys.append(try quoted())
                guard !atEnd, scalars[offset] == "]" else { throw FieldPathError(offset: offset, message: "expected \"]\" after the quoted key") }
                offset += 1
            default:
                throw FieldPathError(offset: offset, message: "expected \".key\" or [\"key\"] in the data path")
            }
        }
        return keys
    }

    /// A key in double or single quotes; a backslash escapes the next character.
    mutating func quoted() throws(FieldPathError) -> String {
        guard !atEnd, scalars[offset] == "\"" || scalars[offset] == "'" else {
            throw FieldPathError(offset: offset, message: "expected a quoted key like [\"a.b\"] (array positions are not addressed: a path reaches every element)")
        }
        let quote = scalars[offset]
        let start = offset
        offset += 1
        var key = String.UnicodeScalarView()
        while offset < scalars.count, scalars[offset] != quote {
            if scalars[offset] == "\\", offset + 1 < scalars.count { offset += 1 }
            key.append(scalars[offset])
            offset += 1
        }
        guard !atEnd else { throw FieldPathError(offset: start, message: "the quoted key is not closed") }
        offset += 1
        return String(key)
    }
}
