/// Huawei EventGrid PutEvents body: `{"events": [CloudEvent, ...]}`, what EventGrid's publish API takes
/// and what a function or gateway receives when a caller forwards it.
///
/// One envelope per event, each a CloudEvent passed through as sent (no provenance extensions). The
/// lenient rules apply: EventGrid sends `"dataschema": ""`, which is dropped with a warning.
public struct EventGridBatch: Dialect {
    public init() {}

    public let name = "functiongraph.eventgrid"
    public let summary = "Huawei EventGrid PutEvents wrapper: events[] of CloudEvents"
    public let signature: String? = "events[] whose first element is an object with specversion (or is empty)"
    public let detectionAnchor: String? = "events"

    /// Decodable only: the events are read by the CloudEvents reader, which has no encoder.
    struct Body: Decodable {
        var events: [CloudEventJSON]
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard probe.kind("events") == .array else { return false }
        guard let (document, event) = probe.firstObject(in: "events") else { return probe.isEmptyArray("events") }
        return document.member("specversion", of: event) != nil
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "events")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let body = try input.decode(Body.self)
        return try body.events.map { event throws(NormalizationError) in
            let (envelope, warnings) = try event.envelope(rules: .lenient)
            warnings.forEach(input.warn)
            return envelope
        }
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension EventGridBatch.Body: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(events: members.decode("events"))
    }
}
