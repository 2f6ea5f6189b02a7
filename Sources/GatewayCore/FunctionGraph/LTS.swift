/// FunctionGraph LTS (Log Tank Service) trigger: `{"lts": {"data": "<base64>"}}`, where the base64 decodes to
/// `{"logs": ..., "owner": ..., "log_group_id": ..., "log_topic_id": ...}`.
///
/// `logs` comes nested in one of three ways: an array of JSON strings (each one entry), one JSON string
/// holding an array of entries, or an array of entry objects. One envelope per entry, `data` being the
/// entry object verbatim.
public struct LTS: Dialect {
    public init() {}

    public let name = "functiongraph.lts"
    public let summary = "Huawei FunctionGraph LTS trigger: base64 lts.data holding a batch of log entries"
    public let signature: String? = "lts.data (a string)"
    public let detectionAnchor: String? = "lts"

    struct Event: Decodable {
        var lts: Body
    }

    struct Body: Decodable {
        var data: Base64Bytes
    }

    /// The decoded `lts.data`.
    struct Payload: Decodable {
        var logs: Logs
        /// The project id.
        var owner: String?
        var log_group_id: String?
        var log_topic_id: String?
    }

    /// Where `logs` sits in the decoded payload; ``LTS/entries(of:)`` reads its nestings.
    struct Logs: Decodable {
        let document: JSONDocument
        let node: Int

        init(from decoder: any Decoder) throws {
            guard let decoder = decoder as? DocumentDecoder else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "logs are read from a parsed document only"))
            }
            document = decoder.document
            node = decoder.node
        }

        init(document: JSONDocument, node: Int) {
            self.document = document
            self.node = node
        }
    }

    struct Entry: Codable {
        /// Epoch milliseconds.
        var time: Timestamp?
        var log_uid: String?
    }

    /// Path of `lts.data`, where every failure inside the decoded payload is reported.
    static let dataPath = "$.lts.data"

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        probe.kind("lts", "data") == .string
    }

    /// The log entries, found in the decoded `lts.data`. The regrouped log list is encoded back the way
    /// it came (into the `logs` JSON string when it is one, then base64), so a function gets only its
    /// entries, in the shape LTS sends.
    public func batchElements(_ input: DialectInput) -> BatchElements? {
        let body = input.json
        guard let lts = body.member("lts", of: body.root), let data = body.member("data", of: lts), body[data].kind == .string,
            let decoded = body.withStringBytes(at: data, Base64.decode), let payload = try? JSONDocument(bytes: decoded),
            let logs = payload.member("logs", of: payload.root)
        else { return nil }
        var layers = [BatchElements.Layer(outer: body.bytes, range: body.byteRange(of: data), encoding: .base64)]
        switch payload[logs].kind {
        case .array:
            return BatchElements.onePerElement(of: logs, in: payload, layers: layers)
        case .string:
            guard let inner = try? JSONDocument(bytes: Array(payload.string(at: logs).utf8)) else { return nil }
            layers.append(BatchElements.Layer(outer: payload.bytes, range: payload.byteRange(of: logs), encoding: .jsonString))
            return BatchElements.onePerElement(of: inner.root, in: inner, layers: layers)
        default:
            return nil
        }
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: event.lts.data.bytes)
        } catch {
            throw Self.failure(error.code, "the decoded payload is not JSON: \(Self.syntax(error))", expected: "base64 of a JSON object", found: error.found)
        }
        let payload = try Self.decode(Payload.self, in: document, at: document.root, location: "")
        let entries = try Self.entries(of: payload.logs)
        let groupID = payload.log_group_id.flatMap { $0.isEmpty ? nil : $0 }
        let topicID = payload.log_topic_id.flatMap { $0.isEmpty ? nil : $0 }
        let source = URIReference.path(["huaweicloud", "lts"] + [groupID, topicID].compactMap { $0 })
        var shared = input.provenance()
        shared.set("projectid", payload.owner)
        shared.set("loggroupid", groupID)
        shared.set("logtopicid", topicID)
        return entries.enumerated().map { index, entry in
            var extensions = shared
            extensions["batchindex"] = .integer(index)
            let id = entry.value.log_uid.flatMap { $0.isEmpty ? nil : $0 }
                ?? derivedID(
                    [.text(groupID ?? ""), .text(topicID ?? ""), .number(index), .bytes(entry.raw.bytes[...])],
                    timeless: entry.value.time == nil, input: input)
            return Envelope(
                id: id,
                source: source,
                type: "com.huaweicloud.lts.log",
                time: entry.value.time ?? input.event.receivedAt,
                datacontenttype: MediaType.json,
                data: .json(entry.raw),
                extensions: extensions
            )
        }
    }

    /// The entries of `logs`, whichever of the three nestings it uses.
    static func entries(of logs: Logs) throws(NormalizationError) -> [Verbatim<Entry>] {
        let document = logs.document
        switch document[logs.node].kind {
        case .string:
            // OTC runtimes: one string holding the array of entries.
            let inner = try parse(document, logs.node, location: "logs")
            guard inner[inner.root].kind == .array else {
                throw failure(.typeMismatch, "the decoded payload: logs does not hold a JSON array (it holds \(inner.describe(inner.root)))",
                    expected: "a JSON array of log entries", found: inner.describe(inner.root))
            }
            return try inner.elements(of: inner.root).enumerated().map { (position, element) throws(NormalizationError) in
                try entry(in: inner, at: element, position: position, base: "logs")
            }
        case .array:
            return try document.elements(of: logs.node).enumerated().map { (position, element) throws(NormalizationError) in
                guard document[element].kind == .string else { return try entry(in: document, at: element, position: position, base: "") }
                // The 2021 documentation: each element is a string holding one entry.
                let inner = try parse(document, element, location: "logs[\(position)]")
                return try entry(in: inner, at: inner.root, position: position, base: "logs[\(position)]")
            }
        default:
            throw failure(.typeMismatch, "the decoded payload: logs must be an array or a string holding one, found \(document.describe(logs.node))",
                expected: "an array of log entries", found: document.describe(logs.node))
        }
    }

    /// The entry object at `node`, the `position`th of `logs`; `base` is where the document's root sits.
    private static func entry(in document: JSONDocument, at node: Int, position: Int, base: @autoclosure () -> String) throws(NormalizationError) -> Verbatim<Entry> {
        guard document[node].kind == .object else {
            throw failure(.typeMismatch, "the decoded payload: logs[\(position)] is not a JSON object (found \(document.describe(node)))",
                expected: "a JSON object", found: document.describe(node))
        }
        return try decode(Verbatim<Entry>.self, in: document, at: node, location: base())
    }

    /// Parses the JSON text held by the string node at `node` (decoded to bytes, without a String between).
    private static func parse(_ document: JSONDocument, _ node: Int, location: @autoclosure () -> String) throws(NormalizationError) -> JSONDocument {
        do {
            return try JSONDocument(bytes: document.stringBytes(at: node))
        } catch {
            throw failure(
                error.code, "the decoded payload: \(location()) is not JSON: \(syntax(error))", expected: "JSON text",
                found: NormalizationError.quote(document.string(at: node)))
        }
    }

    /// Decodes `T` at `node`, restating a failure at `lts.data` with its place inside the payload
    /// (`location` is where the document's root sits: "" for the payload itself).
    private static func decode<T: DocumentDecodable>(_ type: T.Type, in document: JSONDocument, at node: Int, location: @autoclosure () -> String) throws(NormalizationError) -> T {
        do {
            return try document.decode(type, at: node)
        } catch {
            var place = location() + (error.path ?? JSONPath.root).dropFirst()
            if place.hasPrefix(".") { place.removeFirst() }
            // A missing member's path ends in the member, which the message names already: point at its parent.
            if error.code == .missingField { place = String(place[..<(place.lastIndex(of: ".") ?? place.startIndex)]) }
            let prefix = place.isEmpty ? "" : place + ": "
            throw failure(error.code, "the decoded payload: \(prefix)\(error.message)", expected: error.expected, found: error.found)
        }
    }

    /// A syntax error's message with its position in the inner text.
    private static func syntax(_ error: NormalizationError) -> String {
        guard let location = error.location else { return error.message }
        return "line \(location.line), column \(location.column): \(error.message)"
    }

    private static func failure(_ code: NormalizationError.Code, _ message: String, expected: String?, found: String?) -> NormalizationError {
        NormalizationError(code, message, path: dataPath, expected: expected, found: found)
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension LTS.Logs: DocumentDecodable {}

extension LTS.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(lts: members.decode("lts"))
    }
}

extension LTS.Body: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(data: members.decode("data"))
    }
}

extension LTS.Payload: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            logs: members.decode("logs"),
            owner: members.decodeIfPresent("owner"),
            log_group_id: members.decodeIfPresent("log_group_id"),
            log_topic_id: members.decodeIfPresent("log_topic_id")
        )
    }
}

extension LTS.Entry: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            time: members.decodeIfPresent("time"),
            log_uid: members.decodeIfPresent("log_uid")
        )
    }
}
