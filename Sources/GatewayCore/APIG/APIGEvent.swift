/// Turns a plain HTTP request into the FunctionGraph APIG event a function would get from API Gateway:
/// the reverse of the APIG contract, for running FunctionGraph functions locally.
///
/// The event has the members the `functiongraph.apig` dialect reads, in the order Huawei documents them:
/// `httpMethod`, `path`, `pathParameters`, `queryStringParameters`, `headers`, `body`,
/// `isBase64Encoded`, `requestContext` (`apiId`, `requestId`, `stage`, and `sourceIp` when known).
public enum APIGEvent {
    /// The `requestContext` of a built event.
    public struct Context: Sendable, Hashable {
        public var apiId: String
        public var stage: String
        /// Becomes the envelope id; empty lets the dialect derive one from the request and its receipt time.
        public var requestId: String
        public var sourceIp: String?

        public init(apiId: String = "local", stage: String = "local", requestId: String = "", sourceIp: String? = nil) {
            self.apiId = apiId
            self.stage = stage
            self.requestId = requestId
            self.sourceIp = sourceIp
        }
    }

    /// The JSON bytes of the APIG event for one HTTP request.
    ///
    /// APIG events carry maps of strings, so repeated fields are joined: header values with `, ` (RFC
    /// 9110's rule; `; ` for `Cookie`), under the first spelling of the name; query values with `,`.
    /// The body is text when it is UTF-8 and the `Content-Type` is textual (text, JSON, XML, form,
    /// JavaScript, YAML), otherwise base64 with `isBase64Encoded` true; an empty body is `""`.
    ///
    /// - Parameters:
    ///   - method: the HTTP method, `GET`.
    ///   - path: the path the function sees, `/orders/17`.
    ///   - query: the raw query string without `?` (`a=1&b=x%20y`); parts are percent-decoded, `+` as a space.
    ///   - headers: the request's header fields, in order.
    ///   - body: the request body.
    ///   - pathParameters: APIG's path parameters, written sorted by name.
    ///   - context: the `requestContext`.
    public static func build(
        method: String, path: String, query: String? = nil, headers: [HeaderField] = [], body: [UInt8] = [],
        pathParameters: [String: String] = [:], context: Context = Context()
    ) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("httpMethod")
        writer.string(method)
        writer.key("path")
        writer.string(path)
        writer.key("pathParameters")
        writeMap(pathParameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: &writer)
        writer.key("queryStringParameters")
        writeMap(queryParameters(query), into: &writer)
        writer.key("headers")
        writeMap(joinedHeaders(headers), into: &writer)
        let contentType = headers.first { $0.name.caseInsensitiveEquals("content-type") }?.value
        let textual = contentType.map { MediaType.isJSON($0) || MediaType.isText($0) } ?? false
        let text = body.isEmpty || textual ? String(validating: body, as: UTF8.self) : nil
        writer.key("body")
        writer.string(text ?? Base64.encode(body))
        writer.key("isBase64Encoded")
        writer.bool(text == nil)
        writer.key("requestContext")
        writer.beginObject()
        writer.key("apiId")
        writer.string(context.apiId)
        writer.key("requestId")
        writer.string(context.requestId)
        writer.key("stage")
        writer.string(context.stage)
        if let sourceIp = context.sourceIp {
            writer.key("sourceIp")
            writer.string(sourceIp)
        }
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }

    /// The query's parameters in order of first appearance, repeated names' values joined with `,`.
    static func queryParameters(_ query: String?) -> [(String, String)] {
        guard let query else { return [] }
        var parameters = OrderedJoin(separator: ",", ignoringCase: false)
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in URIReference.percentDecode(String(text), plusAsSpace: true) ?? String(text) }
            parameters.add(decode(pair[0]), pair.count > 1 ? decode(pair[1]) : "")
        }
        return parameters.pairs
    }

    /// The header fields with repeated names (compared ignoring case) joined into one value.
    static func joinedHeaders(_ headers: [HeaderField]) -> [(String, String)] {
        var joined = OrderedJoin(separator: ", ", ignoringCase: true)
        for field in headers {
            joined.add(field.name, field.value, separator: field.name.caseInsensitiveEquals("cookie") ? "; " : nil)
        }
        return joined.pairs
    }

    private static func writeMap(_ pairs: [(String, String)], into writer: inout JSONWriter) {
        writer.beginObject()
        for (name, value) in pairs {
            writer.key(name)
            writer.string(value)
        }
        writer.endObject()
    }
}

/// Name-value pairs in order of first appearance, a repeated name's values joined onto the first.
private struct OrderedJoin {
    let separator: String
    /// Whether names compare ignoring ASCII case (header names) or exactly (query names).
    let ignoringCase: Bool
    private(set) var pairs: [(String, String)] = []

    init(separator: String, ignoringCase: Bool) {
        self.separator = separator
        self.ignoringCase = ignoringCase
    }

    mutating func add(_ name: String, _ value: String, separator: String? = nil) {
        guard let index = pairs.firstIndex(where: { ignoringCase ? $0.0.caseInsensitiveEquals(name) : $0.0 == name }) else {
            pairs.append((name, value))
            return
        }
        pairs[index].1 += (separator ?? self.separator) + value
    }
}
