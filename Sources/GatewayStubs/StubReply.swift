public import GatewayCore

/// What a stub server answers.
public struct StubReply: Sendable, Hashable {
    public var status: Int
    /// Response header fields, in order.
    public var headers: [HeaderField]
    public var body: [UInt8]
    /// How long to wait before answering, to make a slow function.
    public var delay: Duration?

    public init(status: Int = 200, headers: [HeaderField] = [], body: [UInt8] = [], delay: Duration? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    /// A `text/plain` answer.
    public static func text(_ text: String, status: Int = 200, delay: Duration? = nil) -> StubReply {
        StubReply(status: status, headers: [HeaderField("Content-Type", "text/plain")], body: Array(text.utf8), delay: delay)
    }

    /// An `application/json` answer; `json` is sent as written.
    public static func json(_ json: String, status: Int = 200, delay: Duration? = nil) -> StubReply {
        StubReply(status: status, headers: [HeaderField("Content-Type", "application/json")], body: Array(json.utf8), delay: delay)
    }
}
