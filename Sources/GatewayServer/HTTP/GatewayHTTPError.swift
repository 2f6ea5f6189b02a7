import Foundation
public import Hummingbird

/// An error answer: a status and a JSON body naming the problem,
/// `{"error": {"code": "malformed_json", "message": "...", "path": "$.Records[0]", ...}}`.
///
/// Only the server turns errors into HTTP: core and delivery errors are mapped here.
public struct GatewayHTTPError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var detail: Detail
    /// Sent as `Retry-After` in whole seconds, rounded up: when the trigger should try again (429, 503).
    public var retryAfter: Duration?

    public var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { fields[.retryAfter] = "\(Self.wholeSeconds(retryAfter))" }
        return fields
    }

    /// At least 1: `Retry-After: 0` would invite an immediate retry that fails again.
    static func wholeSeconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds + (attoseconds > 0 ? 1 : 0))
    }

    /// The fields of the `error` object; nil ones are left out.
    public struct Detail: Encodable, Sendable {
        public var code: String
        public var message: String
        public var dialect: String?
        public var path: String?
        public var expected: String?
        public var found: String?
        public var line: Int?
        public var column: Int?
        /// The limit a request went over (bytes), for 413.
        public var limit: Int?
    }

    public init(_ status: HTTPResponse.Status, code: String, message: String, retryAfter: Duration? = nil) {
        self.status = status
        self.detail = Detail(code: code, message: message)
        self.retryAfter = retryAfter
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        answer.response
    }

    /// The answer, for handlers that return rather than throw it.
    var answer: Answer { Answer(status: status, headers: headers, body: body) }

    /// The JSON body.
    public var body: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(["error": detail])) ?? Data(#"{"error":{"code":"internal"}}"#.utf8))
    }
}
