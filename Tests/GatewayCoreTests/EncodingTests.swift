@testable import GatewayCore
import Testing

struct EncodingTests {
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func base64MatchesRFC4648Vectors(_ plain: String, _ encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.encode(plain.utf8) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func base64AcceptsMissingPaddingURLSafeLettersAndLineBreaks() {
        #expect(Base64.decode("Zm9vYg") == Array("foob".utf8))
        #expect(Base64.decode("-_8=") == [0xFB, 0xFF])
        #expect(Base64.decode("Zm9v\r\nYmFy") == Array("foobar".utf8))
    }

    @Test(arguments: ["Zm9v!", "Z", "Zm9vY", "Zg==Zg==", "Zg===", "... base64 encoded string ...", "VGVz****"])
    func base64RejectsInvalid(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func stableIDsAreDeterministicAndSeparateParts() {
        let id = StableID.make("functiongraph.kafka", .number(3), .text("message"))
        #expect(id == StableID.make("functiongraph.kafka", .number(3), .text("message")))
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        #expect(StableID.make("ab", "c") != StableID.make("a", "bc"))
        #expect(StableID.make(.number(1)) != StableID.make(.number(2)))
    }

    /// MurmurHash3_x64_128 reference values (seed 0): h1 and h2 as 16 hex digits each.
    @Test(arguments: [
        ("", "00000000000000000000000000000000"),
        ("hello", "cbd8a7b341bd9b025b1e906a48ae1d19"),
        ("The quick brown fox jumps over the lazy dog", "e34bbc7bbc071b6c7a433ca9c49a9347"),
    ])
    func murmurHashMatchesReference(_ input: String, _ expected: String) {
        let (h1, h2) = Array(input.utf8).withUnsafeBytes { MurmurHash3.hash128($0) }
        let hex = [h1, h2].map { word in String(repeating: "0", count: 16 - String(word, radix: 16).count) + String(word, radix: 16) }.joined()
        #expect(hex == expected)
    }

    @Test func uriPathsEncodeSegments() {
        #expect(URIReference.path("huaweicloud", "timer", "触发器 名称", "a/b") == "/huaweicloud/timer/%E8%A7%A6%E5%8F%91%E5%99%A8%20%E5%90%8D%E7%A7%B0/a%2Fb")
        #expect(URIReference.percentDecode("a+b%2Fc%E4%B8%AD", plusAsSpace: true) == "a b/c中")
        #expect(URIReference.percentDecode("%zz") == nil)
        #expect(URIReference.percentDecode("%C0%A0") == nil)
        #expect(URIReference.isAbsoluteURI("https://example.com/schema"))
        #expect(!URIReference.isAbsoluteURI("/relative/path"))
        #expect(!URIReference.isAbsoluteURI("1http://x"))
    }

    @Test func mediaTypes() {
        #expect(MediaType.isJSON("application/json; charset=utf-8"))
        #expect(MediaType.isJSON("Application/CloudEvents+JSON"))
        #expect(MediaType.isJSON("text/json"))
        #expect(!MediaType.isJSON("application/xml"))
        #expect(MediaType.isText("text/html"))
        #expect(MediaType.isText("application/atom+xml"))
        #expect(!MediaType.isText("image/png"))
        #expect(MediaType.isValid("application/vnd.apache.thrift.binary"))
        #expect(!MediaType.isValid("xyz"))
        #expect(!MediaType.isValid("text/"))
    }
}
