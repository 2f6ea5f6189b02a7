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
    /// Whether the body looks like this dialect.
    func matchesBody(_ probe: DetectionProbe) throws(NormalizationError) -> Bool
    /// Decodes the request into envelopes, in the order the source lists its events.
    func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope]
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
    public func matchesBody(_ probe: DetectionProbe) throws(NormalizationError) -> Bool { false }

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
public struct DialectInput {
    public let event: IncomingEvent
    let document: JSONDocument?
    private let sink: WarningSink

    init(event: IncomingEvent, document: JSONDocument?, sink: WarningSink) {
        self.event = event
        self.document = document
        self.sink = sink
    }

    /// The parsed body; only dialects with a JSON body requirement ask for it.
    var json: JSONDocument {
        guard let document else { preconditionFailure("a dialect read JSON without declaring a JSON body") }
        return document
    }

    /// Decodes the whole body as the wire type `T`.
    func decode<T: Decodable>(_ type: T.Type) throws(NormalizationError) -> T {
        try json.decode(type)
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

/// What detection can look at: headers, path, and the body parsed at most once.
public final class DetectionProbe {
    public let event: IncomingEvent
    private var parsed: Result<JSONDocument, NormalizationError>?

    init(event: IncomingEvent) {
        self.event = event
    }

    /// The body as JSON, parsed on first use.
    ///
    /// - Throws: `unsupported_content_type` when detecting and the content type cannot be JSON; the
    ///   syntax error when the body is not JSON: once no header or path rule matched, a JSON body is the
    ///   only thing left to detect.
    func document() throws(NormalizationError) -> JSONDocument {
        if parsed == nil {
            if event.dialect == nil, let contentType = event.contentType, !Self.mayCarryJSON(contentType) {
                throw NormalizationError(
                    .unsupportedContentType,
                    "Content-Type \(NormalizationError.quote(contentType)) cannot carry a JSON event: send application/json, a CloudEvents media type, or ce-* headers for binary mode",
                    expected: "application/json", found: NormalizationError.quote(contentType))
            }
            do { parsed = .success(try JSONDocument(bytes: event.body)) } catch { parsed = .failure(error) }
        }
        return try parsed!.get()
    }

    /// JSON media types, text/plain (some triggers send JSON so) and form-less defaults.
    static func mayCarryJSON(_ contentType: String) -> Bool {
        MediaType.isJSON(contentType) || MediaType.essence(of: contentType, is: "text/plain") || MediaType.essence(of: contentType, is: "")
            || MediaType.essence(of: contentType, is: "application/octet-stream")
    }

    /// The top-level object of the body, or nil when the body is another JSON value.
    func object() throws(NormalizationError) -> (document: JSONDocument, node: Int)? {
        let document = try document()
        return document[document.root].kind == .object ? (document, document.root) : nil
    }

    /// The value at a member path of the top-level object (`"record"`, `"lts", "data"`).
    func member(_ keys: String...) throws(NormalizationError) -> (document: JSONDocument, node: Int)? {
        try walk(keys)
    }

    /// The kind of the value at a member path, when present.
    func kind(_ keys: String...) throws(NormalizationError) -> JSONNode.Kind? {
        guard let (document, node) = try walk(keys) else { return nil }
        return document[node].kind
    }

    /// The string at a member path, when it is a string.
    func string(_ keys: String...) throws(NormalizationError) -> String? {
        guard let (document, node) = try walk(keys), document[node].kind == .string else { return nil }
        return document.string(at: node)
    }

    /// The first element of the array at a member path, when it is an object.
    func firstObject(in keys: String...) throws(NormalizationError) -> (document: JSONDocument, node: Int)? {
        guard let (document, node) = try walk(keys) else { return nil }
        guard document[node].kind == .array, document[node].count > 0, document[node + 1].kind == .object else { return nil }
        return (document, node + 1)
    }

    /// Whether the value at a member path is an empty array.
    func isEmptyArray(_ keys: String...) throws(NormalizationError) -> Bool {
        guard let (document, node) = try walk(keys) else { return false }
        return document[node].kind == .array && document[node].count == 0
    }

    private func walk(_ keys: [String]) throws(NormalizationError) -> (document: JSONDocument, node: Int)? {
        guard let (document, root) = try object() else { return nil }
        var node = root
        for key in keys {
            guard let next = document.member(key, of: node) else { return nil }
            node = next
        }
        return (document, node)
    }
}
