import Foundation
import Testing

@testable import GatewayCore

/// The table-driven folding must agree with Foundation's, the reference, on every cased scalar.
struct CaseFoldingTests {
    static let texts = [
        "Straße", "STRASSE", "ǅungla", "ΣΊΣΥΦΟΣ οδος", "İstanbul", "ﬃ ligature", "Ꭰ Cherokee ꭰ", "𐐀 Deseret 𐐨",
        "e\u{301} and É", "Å Kelvin K", "ᾈ", "ŉ", "Отчёт за август 📊", "用户/王芳", "/profiles/Müller", "", "plain ascii",
    ]

    @Test(arguments: texts)
    func agreesWithFoundation(_ text: String) {
        let expected = Array(text.folding(options: [.caseInsensitive], locale: nil).utf8)
        #expect(CaseFolding.foldedUTF8(text) == expected)
    }

    @Test func agreesWithFoundationOnEveryCasedScalar() {
        var differences: [String] = []
        for value in UInt32(0x80)..<0x2_0000 {
            guard let scalar = Unicode.Scalar(value), scalar.properties.isCased || scalar.properties.changesWhenCaseFolded else { continue }
            let text = "a" + String(scalar) + "Z"
            let expected = Array(text.folding(options: [.caseInsensitive], locale: nil).utf8)
            if CaseFolding.foldedUTF8(text) != expected { differences.append(String(value, radix: 16)) }
        }
        #expect(differences.isEmpty, "scalars folded differently: \(differences.prefix(20))")
    }

    @Test func comparesBytesWithoutNormalizing() {
        #expect(CaseFolding.foldedUTF8("É") == CaseFolding.foldedUTF8("é"))
        #expect(CaseFolding.foldedUTF8("e\u{301}") != CaseFolding.foldedUTF8("é"), "routes compare text as sent")
    }
}
