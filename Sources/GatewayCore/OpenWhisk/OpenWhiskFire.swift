/// An OpenWhisk trigger fire: `POST /api/v1/namespaces/{namespace}/triggers/{trigger}` whose body is the
/// trigger's parameters, an arbitrary JSON object (or nothing).
///
/// The body has no shape of its own, so only the path tells this dialect. The fire carries no id and no
/// time: the id is derived from the namespace, trigger, parameters and receipt time, 32 hex digits like an
/// OpenWhisk activation id.
public struct OpenWhiskFire: Dialect {
    public init() {}

    public let name = "openwhisk.fire"
    public let summary = "Apache OpenWhisk trigger fire: POST /api/v1/namespaces/{namespace}/triggers/{trigger} with JSON parameters"
    public let signature: String? = "path /api/v1/namespaces/{namespace}/triggers/{trigger}"
    public let hasRequestRule = true
    public var body: BodyRequirement { .jsonOrEmpty }

    public func matchesRequest(_ event: IncomingEvent) -> Bool {
        event.path.flatMap(Self.trigger(inPath:)) != nil
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        guard let path = input.event.path, let (namespace, trigger) = Self.trigger(inPath: path) else {
            throw NormalizationError(
                .missingField, "an OpenWhisk fire needs the request path /api/v1/namespaces/{namespace}/triggers/{trigger}",
                path: "request path", expected: "/api/v1/namespaces/{namespace}/triggers/{trigger}",
                found: input.event.path.map { NormalizationError.quote($0) } ?? "nothing")
        }
        let document = input.json
        guard document[document.root].kind == .object else {
            throw .typeMismatch(path: JSONPath.root, expected: "a JSON object of trigger parameters", found: document.describe(document.root))
        }
        let parameters = RawJSON(document, document.root)
        var extensions = input.provenance()
        extensions.set("namespace", namespace)
        extensions.set("triggername", trigger)
        return [
            Envelope(
                id: derivedID([.text(namespace), .text(trigger), .bytes(parameters.bytes[...])], timeless: true, input: input),
                source: URIReference.path("namespaces", namespace, "triggers", trigger),
                type: "org.apache.openwhisk.trigger.fire",
                subject: trigger,
                time: input.event.receivedAt,
                datacontenttype: MediaType.json,
                data: .json(parameters),
                extensions: extensions
            )
        ]
    }

    /// Namespace and trigger of `/api/v1/namespaces/{ns}/triggers/{name}` (the `/api/v1` prefix optional,
    /// a query ignored, segments percent-decoded).
    static func trigger(inPath path: String) -> (namespace: String, trigger: String)? {
        // Every request asks this question: answer it on the bytes, without Character-level work.
        let segments: [String]? = path.withUTF8Buffer { bytes in
            var route = bytes[...]
            if route.starts(with: "/api/v1/".utf8) { route = route.dropFirst(7) }
            guard route.starts(with: "/namespaces/".utf8) else { return nil }
            if let query = route.firstIndex(of: UInt8(ascii: "?")) { route = route[..<query] }
            let parts = route.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
            guard parts.count == 4, parts[parts.startIndex + 2].elementsEqual("triggers".utf8) else { return nil }
            return [parts[parts.startIndex + 1], parts[parts.startIndex + 3]].map { String(decoding: $0, as: UTF8.self) }
        }
        guard let segments, let namespace = URIReference.percentDecode(segments[0]), !namespace.isEmpty,
            let trigger = URIReference.percentDecode(segments[1]), !trigger.isEmpty
        else { return nil }
        return (namespace, trigger)
    }
}
