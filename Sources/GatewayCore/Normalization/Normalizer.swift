/// Turns an incoming request into envelopes: picks the dialect (named by the caller, or detected by the
/// ordered rules of ``Dialects/all``), decodes it, and splits batches.
///
/// A pure function of its input: the CLI, the golden tests and the server call the same code.
public struct Normalizer: Sendable {
    /// The dialects, in detection order.
    public let dialects: [any Dialect]
    /// Those that detection may pick (they have a signature).
    private let detectable: [any Dialect]

    public init(dialects: [any Dialect] = Dialects.all) {
        self.dialects = dialects
        self.detectable = dialects.filter { $0.signature != nil }
    }

    /// The dialect called `name`.
    public func dialect(named name: String) -> (any Dialect)? {
        dialects.first { $0.name == name }
    }

    /// Normalizes one request.
    ///
    /// - Throws: ``NormalizationError``; `dialect` is set to the dialect that was decoding.
    public func normalize(_ event: IncomingEvent) throws(NormalizationError) -> Normalization {
        let probe = DetectionProbe(event: event)
        let dialect = try choose(for: event, probe: probe)
        do {
            let document = try body(for: dialect, probe: probe)
            let sink = WarningSink()
            let envelopes = try dialect.normalize(DialectInput(event: event, document: document, sink: sink))
            return Normalization(dialect: dialect.name, envelopes: envelopes, warnings: sink.messages)
        } catch {
            var error = error
            if error.dialect == nil { error.dialect = dialect.name }
            throw error
        }
    }

    private func choose(for event: IncomingEvent, probe: DetectionProbe) throws(NormalizationError) -> any Dialect {
        if let name = event.dialect {
            guard let dialect = dialect(named: name) else {
                throw NormalizationError(
                    .unknownDialect, "unknown dialect \(NormalizationError.quote(name)); known dialects: \(dialects.map(\.name).joined(separator: ", "))",
                    expected: "a dialect name", found: NormalizationError.quote(name))
            }
            return dialect
        }
        if let dialect = detectable.first(where: { $0.matchesRequest(event) }) { return dialect }
        for dialect in detectable {
            if try dialect.matchesBody(probe) { return dialect }
        }
        if let refusal = OpenWhiskFeedAction.refusal(probe) { throw refusal }
        let tried = dialects.compactMap { dialect in dialect.signature.map { "\(dialect.name) (\($0))" } }
        throw NormalizationError(
            .undetectedDialect,
            "no dialect matched the request; tried, in order: \(tried.joined(separator: "; ")). Name the dialect if the shape is ambiguous (yandex.datastreams, say)",
            path: JSONPath.root, expected: "a known event shape", found: describeTop(probe))
    }

    private func body(for dialect: any Dialect, probe: DetectionProbe) throws(NormalizationError) -> JSONDocument? {
        switch dialect.body {
        case .bytes:
            return nil
        case .jsonOrEmpty where probe.event.body.allSatisfy(\.isJSONWhitespace):
            return try JSONDocument(bytes: Array("{}".utf8))
        case .json, .jsonOrEmpty:
            return try probe.document()
        }
    }

    /// "an object with members a, b, c" for the undetected error.
    private func describeTop(_ probe: DetectionProbe) -> String {
        guard let document = try? probe.document() else { return "a body that is not JSON" }
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
}

extension UInt8 {
    var isJSONWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
