/// The canonical event: a CloudEvents 1.0 event that every dialect is normalized into.
///
/// Required: ``id``, ``source``, ``specversion`` and ``type``. Optional: ``subject``, ``time``,
/// ``datacontenttype``, ``dataschema`` and ``data``. Anything else about the event travels in
/// ``extensions``, whose names follow the CloudEvents rules (lower-case `a-z0-9`).
///
/// `Envelope -> CloudEvents JSON -> Envelope` is the identity (see ``jsonBytes(pretty:)`` and
/// ``init(cloudEventJSON:)``).
public struct Envelope: Sendable, Hashable {
    /// The only CloudEvents version this gateway speaks.
    public static let specVersion = "1.0"

    /// Identifies the event; `source` + `id` is unique for distinct events.
    public var id: String
    /// A URI-reference naming where the event happened.
    public var source: String
    /// Always "1.0".
    public var specversion: String
    /// What happened, reverse-DNS style (`com.huaweicloud.smn.notification`).
    public var type: String
    /// What the event is about within the source (an object key, a path).
    public var subject: String?
    /// When it happened.
    public var time: Timestamp?
    /// The media type of ``data``.
    public var datacontenttype: String?
    /// A URI of the schema ``data`` follows.
    public var dataschema: String?
    /// The payload.
    public var data: EventData?
    /// Extension attributes by name.
    public var extensions: ExtensionAttributes

    /// Whether `name` is a valid attribute name: lower-case ASCII letters and digits, at least one.
    public static func isValidAttributeName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Names that are not extensions in the JSON format.
    static let reservedNames: Set<String> = [
        "id", "source", "specversion", "type", "subject", "time", "datacontenttype", "dataschema", "data", "data_base64",
    ]
}

extension Envelope {
    // In an extension, delegating to the memberwise initializer: assigning the properties one by one
    // left a copy and a destroy of the whole envelope in every initialization (the optimizer does not
    // fold them when the struct holds optional strings), some sixteen reference count operations each.

    /// An envelope of CloudEvents ``specVersion``.
    public init(
        id: String,
        source: String,
        type: String,
        subject: String? = nil,
        time: Timestamp? = nil,
        datacontenttype: String? = nil,
        dataschema: String? = nil,
        data: EventData? = nil,
        extensions: ExtensionAttributes = [:]
    ) {
        self.init(
            id: id, source: source, specversion: Self.specVersion, type: type, subject: subject, time: time,
            datacontenttype: datacontenttype, dataschema: dataschema, data: data, extensions: extensions)
    }
}

/// An extension attribute's value: CloudEvents' String, Integer or Boolean.
///
/// URI, URI-reference, Timestamp and Binary values are strings in their canonical encodings.
public enum ExtensionValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case boolean(Bool)

    /// The canonical string form, as used in HTTP headers.
    public var description: String {
        switch self {
        case .string(let text): text
        case .integer(let value): String(value)
        case .boolean(let flag): flag ? "true" : "false"
        }
    }

    /// CloudEvents integers are 32-bit.
    static let integerRange = Int(Int32.min)...Int(Int32.max)
}

extension ExtensionValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
}
