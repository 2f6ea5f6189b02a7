/// FunctionGraph CTS (Cloud Trace Service) trigger: `{"cts": {"trace_id": ..., "service_type": ..., ...}}`.
///
/// One envelope per request. The trace record is `data`, kept as sent (its `request` and `response`
/// may be objects or strings); `time` and `record_time` come as a `yyyy/MM/dd HH:mm:ss GMT+08:00`
/// string, epoch milliseconds or epoch seconds.
public struct CTS: Dialect {
    public init() {}

    public let name = "functiongraph.cts"
    public let summary = "Huawei FunctionGraph CTS trigger: one cloud trace record under cts"
    public let signature: String? = "cts is an object"
    public let detectionAnchor: String? = "cts"

    struct Event: Codable {
        var cts: Verbatim<Trace>
    }

    struct Trace: Codable {
        var trace_id: String?
        var service_type: String?
        var trace_name: String?
        var resource_id: String?
        var resource_name: String?
        var time: Timestamp?
        var record_time: Timestamp?
        var project_id: String?
        var domain_id: String?
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        probe.kind("cts") == .object
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        let trace = event.cts.value
        // An empty service or trace name would leave an empty segment in `type` and `source`.
        let service = trace.service_type.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
        let traceName = trace.trace_name.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
        var extensions = input.provenance()
        extensions.set("projectid", trace.project_id)
        extensions.set("domainid", trace.domain_id)
        let id = trace.trace_id.flatMap { $0.isEmpty ? nil : $0 }
            ?? derivedID(
                [.text(trace.service_type ?? ""), .text(trace.trace_name ?? ""), .text(trace.resource_id ?? ""), .bytes(event.cts.raw.bytes[...])],
                timeless: trace.time == nil && trace.record_time == nil, input: input)
        let source = trace.resource_id.flatMap { $0.hasPrefix("urn:") ? $0 : nil } ?? URIReference.path("huaweicloud", "cts", service)
        return [
            Envelope(
                id: id,
                source: source,
                type: "com.huaweicloud.cts.\(service).\(traceName)",
                subject: trace.resource_name.flatMap { $0.isEmpty ? nil : $0 },
                time: trace.time ?? trace.record_time ?? input.event.receivedAt,
                datacontenttype: MediaType.json,
                data: .json(event.cts.raw),
                extensions: extensions
            )
        ]
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension CTS.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(cts: members.decode("cts"))
    }
}

extension CTS.Trace: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            trace_id: members.decodeIfPresent("trace_id"),
            service_type: members.decodeIfPresent("service_type"),
            trace_name: members.decodeIfPresent("trace_name"),
            resource_id: members.decodeIfPresent("resource_id"),
            resource_name: members.decodeIfPresent("resource_name"),
            time: members.decodeIfPresent("time"),
            record_time: members.decodeIfPresent("record_time"),
            project_id: members.decodeIfPresent("project_id"),
            domain_id: members.decodeIfPresent("domain_id")
        )
    }
}
