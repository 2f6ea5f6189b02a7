/// CloudEvents structured mode: the body is one event in the JSON format.
///
/// Sent as `application/cloudevents+json` it must follow every rule of the specification. A body with
/// `specversion`, `id`, `source` and `type` posted as plain JSON is accepted too (Huawei EventGrid
/// delivers so), with empty optional attributes dropped and reported as warnings.
public struct StructuredCloudEvent: Dialect {
    public init() {}

    public let name = "cloudevents.structured"
    public let summary = "CloudEvents 1.0 structured mode: one event in the JSON format (application/cloudevents+json, or a JSON body with specversion)"
    public let signature: String? = "Content-Type application/cloudevents(+json), or a JSON object with specversion, id, source and type"
    public let hasRequestRule = true
    public let detectionAnchor: String? = "specversion"

    public func matchesRequest(_ event: IncomingEvent) -> Bool {
        Self.isStructuredContentType(event.contentType)
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard let (document, object) = probe.object() else { return false }
        return BinaryCloudEvent.required.allSatisfy { document.member($0, of: object) != nil }
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let rules: CloudEventJSON.Rules = Self.isStructuredContentType(input.event.contentType) ? .strict : .lenient
        let (envelope, warnings) = try input.decode(CloudEventJSON.self).envelope(rules: rules)
        warnings.forEach(input.warn)
        return [envelope]
    }

    /// `application/cloudevents` or `application/cloudevents+json`, but not the batch type.
    static func isStructuredContentType(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        return MediaType.essence(of: contentType, hasPrefix: "application/cloudevents")
            && !MediaType.essence(of: contentType, hasPrefix: "application/cloudevents-batch")
    }
}
