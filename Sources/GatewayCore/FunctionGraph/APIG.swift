/// FunctionGraph APIG (API Gateway) trigger: one HTTP request,
/// `{"httpMethod": ..., "path": ..., "headers": {...}, "body": "...", "isBase64Encoded": true, "requestContext": {...}}`.
///
/// One envelope whose `data` is the whole request object verbatim: the body is left as sent, because
/// `isBase64Encoded` is not reliable (a published sample says true over a body that is not base64).
public struct APIG: Dialect {
    public init() {}

    public let name = "functiongraph.apig"
    public let summary = "Huawei FunctionGraph APIG trigger: one API Gateway HTTP request"
    public let signature: String? = "httpMethod, isBase64Encoded and a requestContext object"
    public let detectionAnchor: String? = "requestContext"

    struct Event: Codable {
        var httpMethod: String
        var path: String
        var body: String?
        var isBase64Encoded: Bool
        var requestContext: RequestContext
    }

    struct RequestContext: Codable {
        var apiId: String?
        var requestId: String?
        var stage: String?
        /// Only in the Go and Java SDK types.
        var sourceIp: String?
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard probe.kind("requestContext") == .object, probe.kind("httpMethod") != nil else { return false }
        return probe.kind("isBase64Encoded") != nil
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let request = try input.decode(Verbatim<Event>.self)
        let event = request.value
        let context = event.requestContext
        var extensions = input.provenance()
        extensions.set("httpmethod", event.httpMethod)
        extensions.set("sourceip", context.sourceIp)
        // A request has no time of its own, so a derived id must include the receipt time.
        let id = context.requestId.flatMap { $0.isEmpty ? nil : $0 }
            ?? derivedID([.text(event.httpMethod), .text(event.path), .text(event.body ?? "")], timeless: true, input: input)
        let resource = [context.apiId, context.stage].compactMap { $0.flatMap { $0.isEmpty ? nil : $0 } }
        return [
            Envelope(
                id: id,
                source: URIReference.path(["huaweicloud", "apig"] + resource),
                type: "com.huaweicloud.apig.request",
                subject: event.path.isEmpty ? nil : event.path,
                time: input.event.receivedAt,
                datacontenttype: MediaType.json,
                data: .json(request.raw),
                extensions: extensions
            )
        ]
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension APIG.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            httpMethod: members.decode("httpMethod"),
            path: members.decode("path"),
            body: members.decodeIfPresent("body"),
            isBase64Encoded: members.decode("isBase64Encoded"),
            requestContext: members.decode("requestContext")
        )
    }
}

extension APIG.RequestContext: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            apiId: members.decodeIfPresent("apiId"),
            requestId: members.decodeIfPresent("requestId"),
            stage: members.decodeIfPresent("stage"),
            sourceIp: members.decodeIfPresent("sourceIp")
        )
    }
}
