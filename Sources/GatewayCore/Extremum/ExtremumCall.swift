/// An extremum functions-api direct call: `{"parameters": ..., "context": {"headers": {...}, "package": "...", "function": "..."}}`.
///
/// The call names the function to run; `parameters` (any JSON value) become `data` and the caller's
/// headers travel in the `callheaders` extension, as the function expects them in its context.
public struct ExtremumCall: Dialect {
    public init() {}

    public let name = "extremum.call"
    public let summary = "extremum functions-api direct call: parameters plus context.function (and package, headers)"
    public let signature: String? = "parameters and context.function"
    public let detectionAnchor: String? = "parameters"

    struct Call: Codable {
        var parameters: RawJSON?
        var context: Context
    }

    struct Context: Codable {
        var headers: RawJSON?
        var package: String?
        var function: String
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard probe.kind("parameters") != nil else { return false }
        return probe.kind("context", "function") == .string
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let call = try input.decode(Call.self)
        let function = call.context.function
        guard !function.isEmpty else {
            throw .invalid(path: "$.context.function", expected: "a function name", found: "\"\"", "context.function must name the function to call")
        }
        switch call.context.headers?.value {
        case nil, .null?, .object?: break
        case let other?: throw .typeMismatch(path: "$.context.headers", expected: "an object of header values", found: other.shortDescription)
        }
        let package = call.context.package.flatMap { $0.isEmpty ? nil : $0 }
        var extensions = input.provenance()
        extensions.set("function", function)
        extensions.set("package", package)
        extensions.set("callheaders", json: call.context.headers)
        let parameters = call.parameters.flatMap { $0.value == .null ? nil : $0 }
        let segments = ["extremum"] + (package.map { ["packages", $0] } ?? []) + ["functions", function]
        return [
            Envelope(
                id: derivedID(
                    [.text(package ?? ""), .text(function), .bytes(parameters?.bytes[...] ?? []), .bytes(call.context.headers?.bytes[...] ?? [])],
                    timeless: true, input: input),
                source: URIReference.path(segments),
                type: "io.extremum.functions.call",
                subject: function,
                time: input.event.receivedAt,
                datacontenttype: parameters == nil ? nil : MediaType.json,
                data: parameters.map(EventData.json),
                extensions: extensions
            )
        ]
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension ExtremumCall.Call: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            parameters: members.decodeIfPresent("parameters"),
            context: members.decode("context")
        )
    }
}

extension ExtremumCall.Context: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            headers: members.decodeIfPresent("headers"),
            package: members.decodeIfPresent("package"),
            function: members.decode("function")
        )
    }
}
