import Foundation
import GatewayCore
import Testing

/// The APIG request/reply contract: what the gateway answers for a function's answer.
struct APIGResponseTests {
    private func answer(_ body: String, status: Int = 200, contentType: String? = nil) -> APIGResponse {
        APIGResponse.answer(to: FunctionAnswer(status: status, headers: contentType.map { [HeaderField("Content-Type", $0)] } ?? [], body: Array(body.utf8)))
    }

    private func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Shaped answers

    @Test func aValidShapedAnswerIsReturnedAsIs() {
        let response = answer(#"{"statusCode": 201, "headers": {"X-Id": "7", "Set-Cookie": ["a=1", "b=2"]}, "body": "made", "isBase64Encoded": false}"#)
        #expect(response == APIGResponse(statusCode: 201, headers: ["X-Id": "7", "Set-Cookie": .list(["a=1", "b=2"])], body: "made"))
        #expect(text(response.jsonBytes()) == #"{"statusCode":201,"headers":{"Set-Cookie":["a=1","b=2"],"X-Id":"7"},"body":"made","isBase64Encoded":false}"#)
    }

    @Test func missingMembersAreFilledIn() {
        #expect(answer(#"{"statusCode": 204}"#) == APIGResponse(statusCode: 204, headers: [:], body: "", isBase64Encoded: false))
        // null stands for absent, as a Python function's None does.
        #expect(answer(#"{"statusCode": 200, "headers": null, "body": null, "isBase64Encoded": null}"#) == APIGResponse(statusCode: 200))
        #expect(text(answer(#"{"statusCode": 204}"#).jsonBytes()) == #"{"statusCode":204,"headers":{},"body":"","isBase64Encoded":false}"#)
    }

    @Test func aShapedAnswerWithBase64BodyIsKept() {
        let response = answer(#"{"body": "SGVsbG8gT3BlblRlbGVrb21DbG91ZA==", "headers": {"Content-Type": "application/json"}, "statusCode": 200, "isBase64Encoded": true}"#)
        #expect(response == APIGResponse(statusCode: 200, headers: ["Content-Type": "application/json"], body: "SGVsbG8gT3BlblRlbGVrb21DbG91ZA==", isBase64Encoded: true))
    }

    /// Each broken rule, and the exact message of the 502 answer.
    @Test(arguments: [
        (#"{"statusCode": "abc"}"#, #"$.statusCode: expected an integer from 100 to 599, found "abc""#),
        (#"{"statusCode": 700}"#, "$.statusCode: expected an integer from 100 to 599, found 700"),
        (#"{"statusCode": 99}"#, "$.statusCode: expected an integer from 100 to 599, found 99"),
        (#"{"statusCode": 200.5}"#, "$.statusCode: expected an integer from 100 to 599, found 200.5"),
        (#"{"statusCode": null}"#, "$.statusCode: expected an integer from 100 to 599, found null"),
        (#"{"statusCode": 200, "headers": []}"#, "$.headers: expected an object of header values (strings or lists of strings), found an empty array"),
        (#"{"statusCode": 200, "headers": {"X-N": 5}}"#, #"$.headers["X-N"]: expected a string or a list of strings, found 5"#),
        (#"{"statusCode": 200, "headers": {"Set-Cookie": ["a=1", 2]}}"#, #"$.headers["Set-Cookie"][1]: expected a string, found 2"#),
        (#"{"statusCode": 200, "headers": {"Bad Name": "x"}}"#,
         #"$.headers["Bad Name"]: "Bad Name" is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)"#),
        (#"{"statusCode": 200, "headers": {"X": "a\r\nInjected: 1"}}"#,
         #"$.headers.X: a header value must not contain control characters such as CR or LF, found "a\r\nInjected: 1""#),
        (#"{"statusCode": 200, "body": {"a": 1}}"#, "$.body: expected a string, found an object"),
        (#"{"statusCode": 200, "isBase64Encoded": "true"}"#, #"$.isBase64Encoded: expected a boolean, found "true""#),
        (#"{"statusCode": 200, "body": "not base64!", "isBase64Encoded": true}"#,
         #"$.body: expected base64 text (isBase64Encoded is true), found "not base64!""#),
        (#"{"statusCode": "x", "body": 1}"#,
         #"$.statusCode: expected an integer from 100 to 599, found "x"; $.body: expected a string, found 1"#),
    ])
    func anInvalidShapedAnswerIsA502SayingWhatIsWrong(_ body: String, _ message: String) {
        #expect(answer(body) == APIGResponse.failure(.invalidAnswer, message: message))
    }

    // MARK: Wrapped answers

    @Test func jsonWithOtherMembersIsThePayloadNotTheShape() {
        let body = #"{"statusCode": 3, "items": []}"#
        #expect(answer(body) == APIGResponse(statusCode: 200, headers: ["Content-Type": "application/json"], body: body))
    }

    @Test func jsonWithoutContentTypeIsWrappedAsJSONText() {
        #expect(answer(#"[1, "ü"]"#) == APIGResponse(statusCode: 200, headers: ["Content-Type": "application/json"], body: #"[1, "ü"]"#))
    }

    @Test(arguments: ["text/plain; charset=utf-8", "text/html", "application/xml", "application/x-www-form-urlencoded", "application/javascript", "application/problem+json"])
    func textualTypesAreWrappedAsText(_ contentType: String) {
        #expect(answer("héllo <b>", contentType: contentType) == APIGResponse(statusCode: 200, headers: ["Content-Type": .single(contentType)], body: "héllo <b>"))
    }

    @Test func binaryIsWrappedAsBase64() {
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF]
        let response = APIGResponse.answer(to: FunctionAnswer(status: 200, headers: [HeaderField("content-type", "image/png")], body: bytes))
        #expect(response == APIGResponse(statusCode: 200, headers: ["Content-Type": "image/png"], body: "iVBORwD/", isBase64Encoded: true))
        #expect(response.httpResponse().body == bytes)
    }

    @Test func textThatIsNotUTF8OrHasNoTypeIsWrappedAsBase64() {
        let invalid = APIGResponse.answer(to: FunctionAnswer(status: 200, headers: [HeaderField("Content-Type", "text/plain")], body: [0xC3, 0x28]))
        #expect(invalid == APIGResponse(statusCode: 200, headers: ["Content-Type": "text/plain"], body: "wyg=", isBase64Encoded: true))
        // Without a type, non-JSON bytes are application/octet-stream, which is not textual.
        #expect(answer("hello") == APIGResponse(statusCode: 200, headers: ["Content-Type": "application/octet-stream"], body: "aGVsbG8=", isBase64Encoded: true))
    }

    @Test func anEmptyAnswerIsAnEmptyBodyWithoutType() {
        #expect(APIGResponse.answer(to: FunctionAnswer(status: 204)) == APIGResponse(statusCode: 200))
    }

    // MARK: Failures

    @Test func aFunctionErrorIsA502QuotingStatusAndBody() {
        let response = answer("  boom: \"db down\"\n", status: 500)
        #expect(response == APIGResponse.failure(.functionError, message: "the function answered HTTP 500: boom: \"db down\""))
        #expect(
            text(response.jsonBytes())
                == #"{"statusCode":502,"headers":{"Content-Type":"application/json"},"body":"{\"error\":{\"code\":\"function_error\",\"message\":\"the function answered HTTP 500: boom: \\\"db down\\\"\"}}","isBase64Encoded":false}"#
        )
        #expect(answer("", status: 302) == APIGResponse.failure(.functionError, message: "the function answered HTTP 302 with an empty body"))
        let binary = APIGResponse.answer(to: FunctionAnswer(status: 503, body: [0xFF, 0xFE]))
        #expect(binary == APIGResponse.failure(.functionError, message: "the function answered HTTP 503 with a binary body of 2 bytes"))
    }

    @Test func aLongErrorBodyIsCut() {
        let response = answer(String(repeating: "x", count: 5000), status: 500)
        let message = "the function answered HTTP 500: " + String(repeating: "x", count: 1000) + "… (5000 bytes in all)"
        #expect(response == APIGResponse.failure(.functionError, message: message))
    }

    @Test(arguments: [
        (APIGResponse.Failure.functionError, 502, "function_error"),
        (.invalidAnswer, 502, "invalid_function_answer"),
        (.timeout, 504, "function_timeout"),
        (.noSubscriber, 404, "no_subscriber"),
        (.invalidRequest, 400, "invalid_request"),
        (.payloadTooLarge, 413, "payload_too_large"),
        (.internalError, 500, "internal_error"),
    ])
    func failuresHaveTheAPIGShapeAndAJSONErrorBody(_ kind: APIGResponse.Failure, _ status: Int, _ code: String) throws {
        let response = APIGResponse.failure(kind, message: "it said \"no\"")
        #expect(
            text(response.jsonBytes())
                == #"{"statusCode":\#(status),"headers":{"Content-Type":"application/json"},"body":"{\"error\":{\"code\":\"\#(code)\",\"message\":\"it said \\\"no\\\"\"}}","isBase64Encoded":false}"#
        )
        let error = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: [String: String]])
        #expect(error == ["error": ["code": code, "message": "it said \"no\""]])
    }

    // MARK: Back to HTTP

    @Test func httpResponseDecodesBase64AndRepeatsListHeaders() {
        let response = APIGResponse(
            statusCode: 201, headers: ["Set-Cookie": .list(["a=1", "b=2"]), "Content-Type": "text/plain"], body: "aMOpbGxv", isBase64Encoded: true)
        let http = response.httpResponse()
        #expect(http.status == 201)
        #expect(http.headers == [HeaderField("Content-Type", "text/plain"), HeaderField("Set-Cookie", "a=1"), HeaderField("Set-Cookie", "b=2")])
        #expect(http.body == Array("héllo".utf8))
        #expect(APIGResponse(statusCode: 200, body: "plain").httpResponse().body == Array("plain".utf8))
    }

    @Test func httpResponseLeavesFramingToTheServer() {
        let response = APIGResponse(
            statusCode: 200, headers: ["Content-Length": "99", "transfer-encoding": "chunked", "Connection": "close", "X-Kept": "1"], body: "short")
        #expect(response.httpResponse().headers == [HeaderField("X-Kept", "1")])
    }

    @Test func httpResponseOfUndecodableBase64IsA502() {
        let http = APIGResponse(statusCode: 200, body: "%%%", isBase64Encoded: true).httpResponse()
        let expected = APIGResponse.failure(.invalidAnswer, message: #"$.body: expected base64 text (isBase64Encoded is true), found "%%%""#).httpResponse()
        #expect(http.status == 502)
        #expect(http.headers == expected.headers && http.body == expected.body)
    }

    @Test func codableFillsDefaultsAndRoundTrips() throws {
        let decoded = try JSONDecoder().decode(APIGResponse.self, from: Data(#"{"statusCode": 200}"#.utf8))
        #expect(decoded == APIGResponse(statusCode: 200))
        let full = APIGResponse(statusCode: 302, headers: ["Location": "/x", "Set-Cookie": .list(["a", "b"])], body: "", isBase64Encoded: false)
        #expect(try JSONDecoder().decode(APIGResponse.self, from: JSONEncoder().encode(full)) == full)
        #expect(try JSONDecoder().decode(APIGResponse.self, from: Data(full.jsonBytes())) == full)
    }
}
