/// Why a request could not be turned into envelopes, and where.
///
/// Every rejection names the dialect that was decoding, the JSON path of the offending value, what was
/// expected and what was found. The server maps ``code`` to an HTTP status; the CLI prints
/// ``description``.
public struct NormalizationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short, stable identifier of the failure, usable as a metric label.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The body is empty where the dialect needs one.
        public static let emptyBody = Code(rawValue: "empty_body")
        /// The body is not valid JSON (RFC 8259), or nests deeper than the parser allows.
        public static let malformedJSON = Code(rawValue: "malformed_json")
        /// A value has the wrong JSON type.
        public static let typeMismatch = Code(rawValue: "type_mismatch")
        /// A required member is absent.
        public static let missingField = Code(rawValue: "missing_field")
        /// A value has the right type but an unacceptable content.
        public static let invalidValue = Code(rawValue: "invalid_value")
        /// A value that must be base64 is not.
        public static let invalidBase64 = Code(rawValue: "invalid_base64")
        /// A time in none of the accepted formats.
        public static let invalidTime = Code(rawValue: "invalid_time")
        /// The body breaks a CloudEvents 1.0 rule.
        public static let invalidCloudEvent = Code(rawValue: "invalid_cloudevent")
        /// The caller named a dialect that does not exist.
        public static let unknownDialect = Code(rawValue: "unknown_dialect")
        /// No detection rule matched the request.
        public static let undetectedDialect = Code(rawValue: "undetected_dialect")
        /// The request is of a known kind that is not an event (an OpenWhisk feed action, say).
        public static let notAnEvent = Code(rawValue: "not_an_event")
        /// The content type cannot carry this dialect.
        public static let unsupportedContentType = Code(rawValue: "unsupported_content_type")
    }

    /// Line and column (both from 1) of a position in the body.
    public struct Location: Hashable, Sendable {
        public var line: Int
        public var column: Int
        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
    }

    public var code: Code
    /// The dialect that was decoding, when one was chosen.
    public var dialect: String?
    /// JSON path of the offending value, `$` for the whole body (`$.record[0].smn.timestamp`).
    public var path: String?
    /// What the decoder expected there.
    public var expected: String?
    /// What it found, shortened.
    public var found: String?
    /// Where in the body, for syntax errors.
    public var location: Location?
    /// A sentence saying what is wrong and, where it helps, how to fix it.
    public var message: String

    public init(
        _ code: Code,
        _ message: String,
        dialect: String? = nil,
        path: String? = nil,
        expected: String? = nil,
        found: String? = nil,
        location: Location? = nil
    ) {
        self.code = code
        self.message = message
        self.dialect = dialect
        self.path = path
        self.expected = expected
        self.found = found
        self.location = location
    }

    /// `dialect: path (line L, column C): message`, the form the CLI and the logs print.
    public var description: String {
        var parts: [String] = []
        if let dialect { parts.append(dialect) }
        if let path {
            if let location {
                parts.append("\(path) (line \(location.line), column \(location.column))")
            } else {
                parts.append(path)
            }
        } else if let location {
            parts.append("line \(location.line), column \(location.column)")
        }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

extension NormalizationError {
    /// A type mismatch at `path`: "expected a string, found a number".
    static func typeMismatch(path: String, expected: String, found: String) -> Self {
        Self(.typeMismatch, "expected \(expected), found \(found)", path: path, expected: expected, found: found)
    }

    /// A required member missing from the object at `path`.
    package static func missing(_ key: String, in path: String) -> Self {
        Self(.missingField, "required member \"\(key)\" is missing", path: JSONPath.member(key, of: path), expected: "a value")
    }

    /// An unacceptable value at `path`.
    static func invalid(path: String, expected: String, found: String, _ message: String? = nil) -> Self {
        Self(.invalidValue, message ?? "expected \(expected), found \(found)", path: path, expected: expected, found: found)
    }

    /// Quotes a found value for an error message, cut to a readable length.
    static func quote(_ text: String, limit: Int = 60) -> String {
        let cut = text.count > limit ? String(text.prefix(limit)) + "…" : text
        var quoted = "\""
        for scalar in cut.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            default:
                if scalar.value < 0x20 {
                    quoted += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
