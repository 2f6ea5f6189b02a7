/// FunctionGraph async-invocation notification: the record FunctionGraph sends to a destination when an
/// asynchronous invocation ends, `{"timestamp", "request_context": {"request_id", "function_urn",
/// "condition"}, "request_payload": "<the event>", "response_context": {"status_code"}, "response_payload"}`.
///
/// One envelope per request: the invocation is the source, the condition the type, and the whole
/// notification (payloads still as the strings sent) is `data`.
public struct AsyncNotification: Dialect {
    public init() {}

    public let name = "functiongraph.asyncnotification"
    public let summary = "Huawei FunctionGraph async-invocation notification (invocation result record)"
    public let signature: String? = "request_context, response_context and request_payload"
    public let detectionAnchor: String? = "request_context"

    struct Notification: Codable {
        /// Nanoseconds and a local offset: `2025-07-28T11:47:56.893440057+02:00`.
        var timestamp: Timestamp?
        var request_context: RequestContext
        var response_context: ResponseContext?
    }

    struct RequestContext: Codable {
        var request_id: String
        var function_urn: String
        /// `UnhandledInvocationError` in the sample.
        var condition: String?
        var approximate_invoke_count: Int?
    }

    struct ResponseContext: Codable {
        var status_code: Int?
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard probe.member("request_context") != nil, probe.member("response_context") != nil else { return false }
        return probe.member("request_payload") != nil
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let notification = try input.decode(Verbatim<Notification>.self)
        let context = notification.value.request_context
        // They become id and source, which CloudEvents requires to be non-empty.
        for (key, value) in [("request_id", context.request_id), ("function_urn", context.function_urn)] where value.isEmpty {
            throw NormalizationError.invalid(path: "$.request_context." + key, expected: "a non-empty string", found: "\"\"")
        }
        var extensions = input.provenance()
        extensions.set("statuscode", notification.value.response_context?.status_code)
        extensions.set("invokecount", context.approximate_invoke_count)
        extensions.set("region", FunctionGraphURN.region(of: context.function_urn))
        return [
            Envelope(
                id: context.request_id,
                source: context.function_urn,
                type: "com.huaweicloud.functiongraph.invocation." + (context.condition.flatMap { $0.isEmpty ? nil : $0 } ?? "notification"),
                time: notification.value.timestamp ?? input.event.receivedAt,
                datacontenttype: MediaType.json,
                data: .json(notification.raw),
                extensions: extensions
            )
        ]
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension AsyncNotification.Notification: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            timestamp: members.decodeIfPresent("timestamp"),
            request_context: members.decode("request_context"),
            response_context: members.decodeIfPresent("response_context")
        )
    }
}

extension AsyncNotification.RequestContext: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            request_id: members.decode("request_id"),
            function_urn: members.decode("function_urn"),
            condition: members.decodeIfPresent("condition"),
            approximate_invoke_count: members.decodeIfPresent("approximate_invoke_count")
        )
    }
}

extension AsyncNotification.ResponseContext: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(status_code: members.decodeIfPresent("status_code"))
    }
}
