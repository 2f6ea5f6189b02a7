import Hummingbird
import HTTPTypes

/// A complete HTTP answer: status, header fields and the whole body.
///
/// The event endpoints compute answers rather than Hummingbird responses, so that the same code
/// answers through the router and through ``EventPostHandler``, which writes them straight to the
/// connection.
struct Answer: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: [UInt8]

    /// A JSON answer.
    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Answer {
        Answer(status: status, headers: [.contentType: "application/json"], body: bytes)
    }

    /// The answer as the router returns it.
    var response: Response {
        Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
