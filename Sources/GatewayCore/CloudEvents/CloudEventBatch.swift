/// CloudEvents batched mode: the body is a JSON array of events (`application/cloudevents-batch+json`).
///
/// An empty array is a valid batch of no events. Every member must be a valid event and all must share
/// one `specversion`. An array of objects with `specversion` sent as plain JSON is accepted too.
public struct CloudEventBatch: Dialect {
    public init() {}

    public let name = "cloudevents.batch"
    public let summary = "CloudEvents 1.0 batched mode: a JSON array of events (application/cloudevents-batch+json)"
    public let signature: String? = "Content-Type application/cloudevents-batch+json, or a JSON array of objects with specversion"
    public let hasRequestRule = true

    public func matchesRequest(_ event: IncomingEvent) -> Bool {
        guard let contentType = event.contentType else { return false }
        return MediaType.essence(of: contentType, hasPrefix: "application/cloudevents-batch")
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        let document = probe.document
        let root = document[document.root]
        guard root.kind == .array, root.count > 0, document[document.root + 1].kind == .object else { return false }
        return document.member("specversion", of: document.root + 1) != nil
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        BatchElements.onePerElement(of: input.json.root, in: input.json)
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let document = input.json
        guard document[document.root].kind == .array else {
            throw NormalizationError(
                .invalidCloudEvent, "a CloudEvents batch must be a JSON array of events", path: JSONPath.root,
                expected: "an array", found: document.describe(document.root))
        }
        let batch = try input.decode([CloudEventJSON].self)
        return try batch.map { event throws(NormalizationError) in
            let (envelope, warnings) = try event.envelope(rules: .strict)
            warnings.forEach(input.warn)
            return envelope
        }
    }

}
