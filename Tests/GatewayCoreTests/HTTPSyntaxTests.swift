import GatewayCore
import Testing

/// The HTTP syntax every reader of requests, answers, media types and route files shares.
struct HTTPSyntaxTests {
    @Test func tokenBytesAreLettersDigitsAndRFC9110sMarks() {
        let tokens = (0...255).compactMap { byte in HTTPSyntax.isTokenByte(UInt8(byte)) ? Character(Unicode.Scalar(UInt8(byte))) : nil }
        #expect(String(tokens) == "!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~")
        #expect(HTTPSyntax.isToken("Content-Type"))
        #expect(HTTPSyntax.isToken("Content-Type".dropFirst(8)))
        #expect(!HTTPSyntax.isToken(""))
        #expect(!HTTPSyntax.isToken("X Name"))
    }

    @Test(arguments: [("0", 0), ("12", 12), ("007", 7), ("999999999999999999", 999_999_999_999_999_999)])
    func digitsAreADecimal(text: String, value: Int) {
        #expect(Array(text.utf8).withUnsafeBytes(HTTPSyntax.decimal) == value)
    }

    @Test(arguments: ["", " 1", "1 ", "+1", "-1", "1,1", "0x10", "1234567890123456789", "١"])
    func anythingElseIsNoDecimal(text: String) {
        #expect(Array(text.utf8).withUnsafeBytes(HTTPSyntax.decimal) == nil)
    }
}
