extension APIGResponse {
    /// The members of the APIG shape.
    static let shapeMembers: Set<String> = ["statusCode", "headers", "body", "isBase64Encoded"]
    /// How much of a failed function's body an error message quotes, in characters.
    static let excerptLimit = 1000

    /// The answer to an APIG event, from what the subscribed function answered.
    ///
    /// - A status outside 2xx is a `function_error` failure (502) quoting the status and the start of
    ///   the function's body.
    /// - A body in the APIG shape is validated and returned with its missing members filled in (no
    ///   headers, an empty body, `isBase64Encoded` false). The shape is a JSON object that has
    ///   `statusCode` and no members but `statusCode`, `headers`, `body` and `isBase64Encoded`; an object
    ///   with other members is the function's payload, wrapped like any other. A shaped answer that
    ///   breaks a rule is an `invalid_function_answer` failure (502) whose message names each problem
    ///   with its JSON path: `$.statusCode: expected an integer from 100 to 599, found "abc"`.
    /// - Anything else is wrapped: status 200, `Content-Type` the function's (else `application/json`
    ///   for a JSON body, `application/octet-stream` for other bytes, none for an empty body), the body
    ///   as text when it is UTF-8 of a textual type (text, JSON, XML, form, JavaScript, YAML), else
    ///   base64 with `isBase64Encoded` true.
    public static func answer(to function: FunctionAnswer) -> APIGResponse {
        guard (200..<300).contains(function.status) else {
            return failure(.functionError, message: "the function answered HTTP \(function.status)\(excerpt(of: function.body))")
        }
        let document = function.body.isEmpty ? nil : try? JSONDocument(bytes: function.body)
        if let document, isShaped(document) { return validated(document) }
        return wrapped(function, isJSON: document != nil)
    }

    /// Whether a parsed answer is in the APIG shape (see ``answer(to:)``).
    static func isShaped(_ document: JSONDocument) -> Bool {
        let members = document.members(of: document.root)
        guard document.member("statusCode", of: document.root) != nil else { return false }
        return members.allSatisfy { shapeMembers.contains(document.string(at: $0.key)) }
    }

    /// The shaped answer, or the failure listing what is wrong with it.
    private static func validated(_ document: JSONDocument) -> APIGResponse {
        var check = ShapeCheck(document: document)
        let response = check.response()
        guard check.problems.isEmpty else { return failure(.invalidAnswer, message: check.problems.joined(separator: "; ")) }
        return response
    }

    private static func wrapped(_ function: FunctionAnswer, isJSON: Bool) -> APIGResponse {
        let contentType = function.contentType ?? (isJSON ? MediaType.json : function.body.isEmpty ? nil : "application/octet-stream")
        let textual = contentType.map { MediaType.isJSON($0) || MediaType.isText($0) } ?? true
        var response = APIGResponse(statusCode: 200, headers: contentType.map { ["Content-Type": .single($0)] } ?? [:])
        if textual, let text = String(validating: function.body, as: UTF8.self) {
            response.body = text
        } else {
            response.body = Base64.encode(function.body)
            response.isBase64Encoded = true
        }
        return response
    }

    /// ": <the body's start>" for an error message, or what the body is when it is not text.
    static func excerpt(of body: [UInt8]) -> String {
        guard !body.isEmpty else { return " with an empty body" }
        guard let text = String(validating: body, as: UTF8.self) else { return " with a binary body of \(body.count) bytes" }
        var trimmed = Substring(text)
        while trimmed.first?.isWhitespace == true { trimmed.removeFirst() }
        while trimmed.last?.isWhitespace == true { trimmed.removeLast() }
        guard trimmed.count > excerptLimit else { return ": " + String(trimmed) }
        return ": " + String(trimmed.prefix(excerptLimit)) + "… (\(body.count) bytes in all)"
    }
}

/// Reads an answer in the APIG shape, noting every rule it breaks with its JSON path.
private struct ShapeCheck {
    let document: JSONDocument
    var problems: [String] = []

    init(document: JSONDocument) {
        self.document = document
    }

    /// The answer read leniently; meaningful only when ``problems`` stays empty.
    mutating func response() -> APIGResponse {
        var response = APIGResponse(statusCode: 0)
        response.statusCode = statusCode()
        if let headers = member("headers") { response.headers = self.headers(headers) }
        if let body = member("body") {
            if document[body].kind == .string {
                response.body = document.string(at: body)
            } else {
                problem("$.body", expected: "a string", found: body)
            }
        }
        if let flag = member("isBase64Encoded") {
            switch document[flag].kind {
            case .true: response.isBase64Encoded = true
            case .false: break
            default: problem("$.isBase64Encoded", expected: "a boolean", found: flag)
            }
        }
        if response.isBase64Encoded, let body = member("body"), document[body].kind == .string, Base64.decode(response.body) == nil {
            problems.append("$.body: expected base64 text (isBase64Encoded is true), found \(NormalizationError.quote(response.body))")
        }
        return response
    }

    /// The member's node; nil when absent or null (null counts as absent, as `None` does in Python).
    private func member(_ key: String) -> Int? {
        guard let node = document.member(key, of: document.root), document[node].kind != .null else { return nil }
        return node
    }

    private mutating func statusCode() -> Int {
        let node = document.member("statusCode", of: document.root)
        if let node, let code = document.int64(at: node), (100...599).contains(code) { return Int(code) }
        problem("$.statusCode", expected: "an integer from 100 to 599", found: node)
        return 0
    }

    private mutating func headers(_ node: Int) -> [String: APIGHeaderValue] {
        guard document[node].kind == .object else {
            problem("$.headers", expected: "an object of header values (strings or lists of strings)", found: node)
            return [:]
        }
        var headers: [String: APIGHeaderValue] = [:]
        for (key, value) in document.members(of: node) {
            let name = document.string(at: key)
            let path = JSONPath.member(name, of: "$.headers")
            guard HTTPSyntax.isToken(name) else {
                problems.append("\(path): \(NormalizationError.quote(name)) is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)")
                continue
            }
            switch document[value].kind {
            case .string:
                if let text = fieldValue(value, path: path) { headers[name] = .single(text) }
            case .array:
                let values = document.elements(of: value).enumerated().compactMap { position, element in
                    document[element].kind == .string
                        ? fieldValue(element, path: JSONPath.element(position, of: path))
                        : problem(JSONPath.element(position, of: path), expected: "a string", found: element)
                }
                headers[name] = .list(values)
            default:
                problem(path, expected: "a string or a list of strings", found: value)
            }
        }
        return headers
    }

    /// The string at `node` when it can be a header field value (no control characters but tab).
    private mutating func fieldValue(_ node: Int, path: String) -> String? {
        let text = document.string(at: node)
        guard text.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else { return text }
        problems.append("\(path): a header value must not contain control characters such as CR or LF, found \(NormalizationError.quote(text))")
        return nil
    }

    /// Notes "path: expected X, found Y"; returns nil so it can stand for a missing value.
    @discardableResult
    private mutating func problem(_ path: String, expected: String, found node: Int?) -> String? {
        let found: String
        if let node {
            found = document[node].kind == .number ? String(document.numberText(at: node)) : document.describe(node)
        } else {
            found = "nothing"
        }
        problems.append("\(path): expected \(expected), found \(found)")
        return nil
    }
}
