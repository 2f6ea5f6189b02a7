/// One wire format the gateway accepts, with how to recognize it and how to turn it into envelopes.
///
/// A dialect lives in one file beside its Codable wire types and is listed once in ``Dialects/all``.
public protocol Dialect: Sendable {
    /// `platform.kind`, e.g. `functiongraph.smn`; the part before the dot is the `platform` extension,
    /// the part after it the `trigger` extension.
    var name: String { get }
    /// One line for `event-gateway dialects`.
    var summary: String { get }
    /// What detection looks for, for the "tried" list of an undetected request; nil when the dialect is
    /// only used when named (its shape cannot be told apart).
    var signature: String? { get }
    /// What the body must be before ``normalize(_:)`` runs.
    var body: BodyRequirement { get }
    /// Whether the headers or the path alone say this dialect (checked for every dialect before any body).
    func matchesRequest(_ event: IncomingEvent) -> Bool
    /// Whether ``matchesRequest(_:)`` can say yes: detection asks only the dialects that have a header or
    /// path rule (false, the default, for those that go by the body alone).
    var hasRequestRule: Bool { get }
    /// Whether the body looks like this dialect.
    func matchesBody(_ probe: DetectionProbe) -> Bool
    /// A top-level member that every body ``matchesBody(_:)`` accepts has, or nil (the default) when
    /// there is none: detection does not ask a dialect whose anchor the body lacks.
    var detectionAnchor: String? { get }
    /// Decodes the request into envelopes, in the order the source lists its events.
    func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope]
    /// Where the batch container's elements sit in a body this dialect normalized, and which element
    /// each envelope came from; nil (the default) when the dialect has no batch container.
    ///
    /// Runs only when a body is regrouped (``Normalization/groupedBody(keeping:)``), on a body that
    /// normalized without error; nil makes the regrouped body the whole body.
    func batchElements(_ input: DialectInput) -> BatchElements?
}

/// What a dialect needs of the body.
public enum BodyRequirement: Sendable {
    /// One JSON value; an empty body is an error.
    case json
    /// One JSON value, or nothing (read as `{}`).
    case jsonOrEmpty
    /// Any bytes (CloudEvents binary mode).
    case bytes
}

extension Dialect {
    public var body: BodyRequirement { .json }
    public var signature: String? { nil }
    public func matchesRequest(_ event: IncomingEvent) -> Bool { false }
    public var hasRequestRule: Bool { false }
    public func matchesBody(_ probe: DetectionProbe) -> Bool { false }
    public var detectionAnchor: String? { nil }
    public func batchElements(_ input: DialectInput) -> BatchElements? { nil }

    /// `functiongraph` of `functiongraph.smn`.
    public var platform: String {
        guard let dot = name.utf8.firstIndex(of: UInt8(ascii: ".")) else { return name }
        return String(name[..<dot])
    }
    /// `smn` of `functiongraph.smn`.
    public var trigger: String {
        guard let dot = name.utf8.firstIndex(of: UInt8(ascii: ".")) else { return "" }
        return String(name[name.utf8.index(after: dot)...])
    }
}

/// The request as a dialect sees it: the parsed body, headers, path and receipt time.
///
/// Made with the memberwise initializer: an explicit one, assigning the properties one by one, left a
/// copy and a destroy of the whole input in every normalization.
public struct DialectInput {
    public let event: IncomingEvent
    let document: JSONDocument?
    /// `platform` and `trigger` of the dialect, made once per gateway rather than once per event.
    let base: ExtensionAttributes
    /// Where ``warn(_:)`` writes.
    let sink: WarningSink

    /// The parsed body; only dialects with a JSON body requirement ask for it.
    var json: JSONDocument {
        guard let document else { preconditionFailure("a dialect read JSON without declaring a JSON body") }
        return document
    }

    /// Decodes the whole body as the wire type `T`.
    func decode<T: DocumentDecodable>(_ type: T.Type) throws(NormalizationError) -> T {
        try json.decode(type)
    }

    /// The extensions every envelope a dialect builds carries: `platform`, `trigger` and, for an event
    /// split out of a batch, `batchindex` (its position among the request's envelopes, from 0).
    public func provenance(batchIndex: Int? = nil) -> ExtensionAttributes {
        var extensions = base.reserving(12)
        if let batchIndex { extensions["batchindex"] = .integer(batchIndex) }
        return extensions
    }

    /// Notes something the dialect accepted but changed (a dropped empty attribute, say).
    func warn(_ message: String) {
        sink.messages.append(message)
    }
}

/// Collects warnings during one normalization.
final class WarningSink {
    var messages: [String] = []
}

/// What body detection looks at: the request and its body, parsed once.
public struct DetectionProbe {
    public let event: IncomingEvent
    let document: JSONDocument
    /// The node of `messages[0].event_metadata.event_type` when it is a string. Ten Yandex dialects ask
    /// for it in turn, and finding it took three member lookups each time.
    let firstMessageEventType: Int?
    /// The top-level member names, as a ``MemberNameFilter``.
    let topLevelNames: MemberNameFilter
}

extension DetectionProbe {
    /// The probe of `event`, whose body is `document`. (In an extension, delegating to the memberwise
    /// initializer, for the reason ``DialectInput`` gives.)
    init(event: IncomingEvent, document: JSONDocument) {
        self.init(
            event: event, document: document, firstMessageEventType: Self.firstMessageEventType(in: document),
            topLevelNames: MemberNameFilter(namesOf: document.root, in: document))
    }

    private static func firstMessageEventType(in document: JSONDocument) -> Int? {
        guard let messages = document.member("messages", of: document.root), document[messages].kind == .array,
            document[messages].count > 0, document[messages + 1].kind == .object,
            let metadata = document.member("event_metadata", of: messages + 1), document[metadata].kind == .object,
            let type = document.member("event_type", of: metadata), document[type].kind == .string
        else { return nil }
        return type
    }

    /// Whether the content type may carry a JSON body: JSON types, text/plain (some triggers send JSON
    /// so), octet-stream and none.
    static func mayCarryJSON(_ contentType: String) -> Bool {
        MediaType.isJSON(contentType) || MediaType.essence(of: contentType, is: "text/plain") || MediaType.essence(of: contentType, is: "")
            || MediaType.essence(of: contentType, is: "application/octet-stream")
    }

    /// The top-level object of the body, or nil when the body is another JSON value.
    func object() -> (document: JSONDocument, node: Int)? {
        document[document.root].kind == .object ? (document, document.root) : nil
    }

    /// The value of a top-level member (`"record"`), or of a member of one (`"lts", "data"`).
    func member(_ key: String, _ inner: String? = nil) -> (document: JSONDocument, node: Int)? {
        guard var node = document.member(key, of: document.root) else { return nil }
        if let inner {
            guard let next = document.member(inner, of: node) else { return nil }
            node = next
        }
        return (document, node)
    }

    /// The kind of the value at a member path, when present.
    func kind(_ key: String, _ inner: String? = nil) -> JSONNode.Kind? {
        member(key, inner).map { document[$0.node].kind }
    }

    /// The string at a member path, when it is a string.
    func string(_ key: String, _ inner: String? = nil) -> String? {
        guard let (document, node) = member(key, inner), document[node].kind == .string else { return nil }
        return document.string(at: node)
    }

    /// Whether the value at a member path is the string `expected` (compared on the bytes: detection asks
    /// every dialect in turn, and building a String for each question cost more than the answer).
    func hasString(_ expected: String, at key: String, _ inner: String? = nil) -> Bool {
        guard let (document, node) = member(key, inner), document[node].kind == .string else { return false }
        return document.stringEquals(node, expected)
    }

    /// The first element of the array at a member path, when it is an object.
    func firstObject(in key: String, _ inner: String? = nil) -> (document: JSONDocument, node: Int)? {
        guard let (document, node) = member(key, inner) else { return nil }
        guard document[node].kind == .array, document[node].count > 0, document[node + 1].kind == .object else { return nil }
        return (document, node + 1)
    }

    /// Whether the value at a member path is an empty array.
    func isEmptyArray(_ key: String, _ inner: String? = nil) -> Bool {
        guard let (document, node) = member(key, inner) else { return false }
        return document[node].kind == .array && document[node].count == 0
    }
}


/// A 64-bit Bloom filter of an object's member names (one bit per name, from its length and end bytes).
///
/// Detection asks some thirty dialects in turn whether the body is theirs, and most answers start with
/// looking up a top-level member the body does not have; testing a bit first skips those dialects.
/// A name written with escapes sets every bit, so the filter never rules out a member that is there.
struct MemberNameFilter: Sendable {
    private(set) var bits: UInt64 = 0

    /// The filter of `name` alone; empty for nil, which ``mayContain(_:)`` reads as "no anchor".
    init(_ name: String?) {
        guard let name else { return }
        bits = name.withUTF8Buffer(Self.bit)
    }

    /// The filter of the member names of `object` (empty when the node is not an object).
    init(namesOf object: Int, in document: JSONDocument) {
        guard document[object].kind == .object else { return }
        // Walks the names in place: `members(of:)` would build an array for every body.
        var name = object + 1
        while name < Int(document[object].next) {
            if document[name].flag {
                bits = .max
                return
            }
            bits |= Self.bit(document.slice(name).dropFirst().dropLast())
            name = Int(document[name + 1].next)
        }
    }

    /// Whether an object with these names may have the member of `anchor` (always, without an anchor).
    func mayContain(_ anchor: MemberNameFilter) -> Bool {
        anchor.bits == 0 || bits & anchor.bits != 0
    }

    private static func bit(_ name: some Collection<UInt8>) -> UInt64 {
        guard let first = name.first else { return 1 }
        let hash = UInt64(name.count) &* 7 &+ UInt64(first) &+ UInt64(name[name.index(name.endIndex, offsetBy: -1)]) &* 3
        return 1 << (hash & 63)
    }
}
