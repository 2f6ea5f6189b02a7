extension APIGResponse {
    /// Why the gateway answers an APIG event itself: a short code (usable as a metric label) and the
    /// HTTP status of the answer.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// `function_error`, `function_timeout`...; the `code` of the error body.
        public let code: String
        /// The answer's `statusCode`.
        public let statusCode: Int

        public init(code: String, statusCode: Int) {
            self.code = code
            self.statusCode = statusCode
        }

        public var description: String { code }

        /// The function answered with a status outside 2xx, or could not be reached (502).
        public static let functionError = Failure(code: "function_error", statusCode: 502)
        /// The function's answer has the APIG shape but breaks it: a bad status, header or body (502).
        public static let invalidAnswer = Failure(code: "invalid_function_answer", statusCode: 502)
        /// The function did not answer within its timeout (504).
        public static let timeout = Failure(code: "function_timeout", statusCode: 504)
        /// No function subscribes to the event's topics (404).
        public static let noSubscriber = Failure(code: "no_subscriber", statusCode: 404)
        /// The request could not be turned into an event (400).
        public static let invalidRequest = Failure(code: "invalid_request", statusCode: 400)
        /// The request body is larger than the gateway accepts (413).
        public static let payloadTooLarge = Failure(code: "payload_too_large", statusCode: 413)
        /// The gateway itself failed (500).
        public static let internalError = Failure(code: "internal_error", statusCode: 500)
    }

    /// The answer the gateway gives in place of a function:
    /// `{"statusCode": N, "headers": {"Content-Type": "application/json"}, "body": "{\"error\":{\"code\":\"...\",\"message\":\"...\"}}", "isBase64Encoded": false}`.
    public static func failure(_ kind: Failure, message: String) -> APIGResponse {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("error")
        writer.beginObject()
        writer.key("code")
        writer.string(kind.code)
        writer.key("message")
        writer.string(message)
        writer.endObject()
        writer.endObject()
        return APIGResponse(
            statusCode: kind.statusCode, headers: ["Content-Type": .single(MediaType.json)], body: String(decoding: writer.bytes, as: UTF8.self))
    }
}
