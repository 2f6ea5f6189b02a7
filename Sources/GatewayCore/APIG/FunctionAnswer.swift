/// What a function answered over HTTP: the input of ``APIGResponse/answer(to:)``.
public struct FunctionAnswer: Sendable, Hashable {
    /// The HTTP status code.
    public var status: Int
    /// The response header fields, in order.
    public var headers: [HeaderField]
    /// The response body.
    public var body: [UInt8]

    public init(status: Int, headers: [HeaderField] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first `Content-Type` field's value (the name compared ignoring case).
    public var contentType: String? {
        headers.first { $0.name.caseInsensitiveEquals("content-type") }?.value
    }
}
