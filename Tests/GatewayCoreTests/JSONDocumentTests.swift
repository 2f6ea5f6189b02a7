@testable import GatewayCore
import Testing

struct JSONDocumentTests {
    @Test(arguments: [
        "null", "true", "false", "0", "-0", "1.5e-3", "123456789012345678901234567890", "\"\"", "\"\\u00e9\\ud83d\\ude00\\n\"",
        "[]", "{}", " { \"a\" : [ 1 , { \"b\" : null } ] } ", "\"é😀\"", "[1,[2,[3,[4]]]]",
    ])
    func acceptsValidJSON(_ text: String) throws {
        let document = try JSONDocument(bytes: Array(text.utf8))
        // Re-writing the value gives a text that parses to the same value.
        var writer = JSONWriter()
        writer.node(document, document.root)
        #expect(try RawJSON(validating: writer.bytes) == RawJSON(validating: Array(text.utf8)))
    }

    /// Each malformed text, the message and the 1-based line and column of the problem.
    @Test(arguments: [
        ("", "the body is empty; a JSON value was expected", nil as (Int, Int)?),
        ("   ", "the body is empty; a JSON value was expected", nil),
        ("{\"a\":1,}", "malformed JSON: expected a member name in double quotes", (1, 8)),
        ("{\"a\" 1}", "malformed JSON: expected ':' after the member name", (1, 6)),
        ("[1 2]", "malformed JSON: expected ',' or ']' after an array element", (1, 4)),
        ("{\n  \"a\": tru\n}", "malformed JSON: expected 'true'", (2, 8)),
        ("[01]", "malformed JSON: a number must not have a leading zero", (1, 3)),
        ("[1.]", "malformed JSON: expected a digit after the decimal point", (1, 4)),
        ("[-]", "malformed JSON: expected a digit in the number", (1, 3)),
        ("\"abc", "malformed JSON: the text ends inside a string", (1, 1)),
        ("\"a\tb\"", "malformed JSON: a control character must be escaped inside a string", (1, 3)),
        ("\"\\x\"", "malformed JSON: unknown escape sequence", (1, 2)),
        ("\"\\ud800\"", "malformed JSON: a \\u escape of a high surrogate must be followed by a low surrogate", (1, 2)),
        ("\"\\udc00\"", "malformed JSON: a lone low surrogate in a \\u escape", (1, 2)),
        ("{} {}", "malformed JSON: unexpected text after the JSON value", (1, 4)),
        ("[1,2", "malformed JSON: the text ends inside an array", (1, 5)),
        ("{'a':1}", "malformed JSON: expected a member name in double quotes", (1, 2)),
        ("ä", "malformed JSON: expected a JSON value (object, array, string, number, true, false or null)", (1, 1)),
    ])
    func rejectsMalformedJSON(_ text: String, _ message: String, _ position: (Int, Int)?) {
        do {
            _ = try JSONDocument(bytes: Array(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message == message)
            #expect(error.location.map { [$0.line, $0.column] } == position.map { [$0.0, $0.1] })
        }
    }

    @Test func rejectsInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xC0, 0xA0, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22]] {
            #expect(throws: NormalizationError.self) { try JSONDocument(bytes: bytes) }
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = try #require(throws: NormalizationError.self) { try JSONDocument(bytes: Array(deep.utf8)) }
        #expect(error.message.contains("deeper than 512"))
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try JSONDocument(bytes: Array(fine.utf8)) }
    }

    @Test func errorPathNamesTheValueBeingRead() throws {
        let text = "{\"record\": [{\"smn\": {\"message\": \"x\", \"timestamp\": 12a}}]}"
        let error = try #require(throws: NormalizationError.self) { try JSONDocument(bytes: Array(text.utf8)) }
        #expect(error.path == "$.record[0].smn.timestamp")
    }

    @Test func pathsQuoteKeysThatAreNotIdentifiers() throws {
        let document = try JSONDocument(bytes: Array("{\"responseElements\": {\"x-amz-request-id\": [0, 1]}}".utf8))
        let elements = try #require(document.member("responseElements", of: 0))
        let value = try #require(document.member("x-amz-request-id", of: elements))
        #expect(document.path(of: document.elements(of: value)[1]) == "$.responseElements[\"x-amz-request-id\"][1]")
    }

    @Test func decodesStringsAndNumbers() throws {
        let document = try JSONDocument(bytes: Array("[\"a\\\"b\\\\c\\/\\u00e9\\ud83d\\ude00\", 9223372036854775807, 9223372036854775808, -12, 1.5]".utf8))
        let elements = document.elements(of: document.root)
        #expect(document.string(at: elements[0]) == "a\"b\\c/é😀")
        #expect(document.int64(at: elements[1]) == Int64.max)
        #expect(document.int64(at: elements[2]) == nil)
        #expect(document.int64(at: elements[3]) == -12)
        #expect(document.int64(at: elements[4]) == nil)
        #expect(document.double(at: elements[4]) == 1.5)
    }

    @Test func prettyWriterIndentsAndKeepsTokens() throws {
        let raw = try RawJSON(validating: "{\"a\":[1,2.50,{}],\"b\":{\"c\":\"\\u00e9\"},\"d\":[]}")
        var writer = JSONWriter(pretty: true)
        writer.raw(raw)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == """
            {
              "a": [
                1,
                2.50,
                {}
              ],
              "b": {
                "c": "\\u00e9"
              },
              "d": []
            }
            """)
    }

    @Test func writerWritesIntegersAsDecimalText() {
        var writer = JSONWriter()
        writer.beginArray()
        for value in [0, 7, -7, 10, 200, -1_000_000, Int.max, Int.min] { writer.integer(value) }
        writer.integer(UInt64.max)
        writer.integer(Int8.min)
        writer.endArray()
        #expect(
            String(decoding: writer.bytes, as: UTF8.self)
                == "[0,7,-7,10,200,-1000000,9223372036854775807,-9223372036854775808,18446744073709551615,-128]")
    }

    @Test func writerEscapesControlCharacters() {
        var writer = JSONWriter()
        writer.string("a\"b\\c\n\r\t\u{01}é")
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "\"a\\\"b\\\\c\\n\\r\\t\\u0001é\"")
    }

    @Test func rawJSONEqualityIgnoresWhitespaceOnly() throws {
        #expect(try RawJSON(validating: "{ \"a\" : [1, 2] }") == RawJSON(validating: "{\"a\":[1,2]}"))
        #expect(try RawJSON(validating: "\"a b\"") != RawJSON(validating: "\"ab\""))
        #expect(try RawJSON(validating: "[1,2]") != RawJSON(validating: "[2,1]"))
        #expect(try RawJSON(validating: "  [1]\n").bytes == Array("[1]".utf8))
    }
}
