/// Turns an incoming request into envelopes: picks the dialect (named by the caller, or detected by the
/// ordered rules of ``Dialects/all``), decodes it, and splits batches.
///
/// A pure function of its input: the CLI, the golden tests and the server call the same code.
public struct Normalizer: Sendable {
    /// The dialects, in detection order.
    public let dialects: [any Dialect]
    /// Indices of the dialects detection may pick (they have a signature), in order.
    private let detectable: [Int]
    /// The detectable dialects with a header or path rule, in order: the only ones asked before the body.
    private let byRequest: [Int]
    private let indexByName: [String: Int]
    private let bases: [ExtensionAttributes]
    /// ``Dialect/detectionAnchor`` of each dialect, as a filter.
    private let anchors: [MemberNameFilter]

    public init(dialects: [any Dialect] = Dialects.all) {
        self.dialects = dialects
        self.detectable = dialects.indices.filter { dialects[$0].signature != nil }
        self.byRequest = detectable.filter { dialects[$0].hasRequestRule }
        self.indexByName = Dictionary(dialects.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.bases = dialects.map(\.provenanceBase)
        self.anchors = dialects.map { MemberNameFilter($0.detectionAnchor) }
    }

    /// The dialect called `name`.
    public func dialect(named name: String) -> (any Dialect)? {
        indexByName[name].map { dialects[$0] }
    }

    /// Normalizes one request.
    ///
    /// - Throws: ``NormalizationError``; `dialect` is set to the dialect that was decoding.
    public func normalize(_ event: IncomingEvent) throws(NormalizationError) -> Normalization {
        let (index, parsed) = try choose(for: event)
        let dialect = dialects[index]
        do {
            var document = parsed
            if document == nil { document = try body(for: dialect, event: event) }
            let sink = WarningSink()
            let input = DialectInput(event: event, document: document, base: bases[index], sink: sink)
            let envelopes = try dialect.normalize(input)
            return Normalization(dialect: dialect.name, envelopes: envelopes, warnings: sink.messages, request: event, reader: dialect)
        } catch {
            var error = error
            if error.dialect == nil { error.dialect = dialect.name }
            throw error
        }
    }

    /// The dialect's index, and the body when detection had to parse it.
    private func choose(for event: IncomingEvent) throws(NormalizationError) -> (Int, JSONDocument?) {
        if let name = event.dialect {
            guard let index = indexByName[name] else {
                throw NormalizationError(
                    .unknownDialect, "unknown dialect \(NormalizationError.quote(name)); known dialects: \(dialects.map(\.name).joined(separator: ", "))",
                    expected: "a dialect name", found: NormalizationError.quote(name))
            }
            return (index, nil)
        }
        for index in byRequest where dialects[index].matchesRequest(event) { return (index, nil) }
        // No header or path rule matched: the body must be JSON of a known shape.
        if let contentType = event.contentType, !DetectionProbe.mayCarryJSON(contentType) {
            throw NormalizationError(
                .unsupportedContentType,
                "Content-Type \(NormalizationError.quote(contentType)) cannot carry a JSON event: send application/json, a CloudEvents media type, or ce-* headers for binary mode",
                expected: "application/json", found: NormalizationError.quote(contentType))
        }
        let probe = DetectionProbe(event: event, document: try JSONDocument(bytes: event.body))
        for index in detectable where probe.topLevelNames.mayContain(anchors[index]) && dialects[index].matchesBody(probe) {
            return (index, probe.document)
        }
        if let refusal = OpenWhiskFeedAction.refusal(probe) { throw refusal }
        let tried = dialects.compactMap { dialect in dialect.signature.map { "\(dialect.name) (\($0))" } }
        throw NormalizationError(
            .undetectedDialect,
            "no dialect matched the request; tried, in order: \(tried.joined(separator: "; ")). Name the dialect if the shape is ambiguous (yandex.datastreams, say)",
            path: JSONPath.root, expected: "a known event shape", found: Self.describeTop(probe.document))
    }

    private func body(for dialect: any Dialect, event: IncomingEvent) throws(NormalizationError) -> JSONDocument? {
        switch dialect.body {
        case .bytes:
            return nil
        case .jsonOrEmpty where event.body.allSatisfy(\.isJSONWhitespace):
            return try JSONDocument(bytes: Array("{}".utf8))
        case .json, .jsonOrEmpty:
            return try JSONDocument(bytes: event.body)
        }
    }

    /// "an object with members a, b, c" for the undetected error.
    private static func describeTop(_ document: JSONDocument) -> String {
        guard document[document.root].kind == .object else { return document.describe(document.root) }
        let keys = document.members(of: document.root).prefix(8).map { document.string(at: $0.key) }
        return keys.isEmpty ? "an empty object" : "an object with members " + keys.joined(separator: ", ")
    }
}

/// The envelopes of one request and how they were read.
public struct Normalization: Sendable {
    /// The dialect that decoded the request.
    public var dialect: String
    /// One envelope per logical event, in source order.
    public var envelopes: [Envelope]
    /// What was accepted but changed (lenient CloudEvents rules).
    public var warnings: [String]
    /// The request that was normalized: ``groupedBody(keeping:)`` cuts its body down.
    let request: IncomingEvent
    /// The dialect that decoded it, which knows where its batch elements sit.
    let reader: any Dialect
}

extension UInt8 {
    var isJSONWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
