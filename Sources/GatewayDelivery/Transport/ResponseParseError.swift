/// Why an answer's bytes could not be read.
struct ResponseParseError: Error, Equatable, CustomStringConvertible {
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { "malformed answer: \(message)" }
}
