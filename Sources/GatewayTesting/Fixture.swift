public import GatewayCore
import Foundation

/// One fixture case: a request body under `fixtures/<platform>/<dialect>/`, the request context from its
/// `<case>.request.json` sidecar, and the golden file it must reproduce.
///
/// Valid cases sit directly in the dialect folder and expect `<case>.envelopes.json` (dialect and envelopes); invalid ones sit
/// in its `invalid/` folder and expect `<case>.error.json`.
public struct Fixture: Sendable, CustomStringConvertible {
    /// `functiongraph.smn` for `fixtures/functiongraph/smn/`.
    public let dialect: String
    /// The body file's name without its extension.
    public let name: String
    /// Path of the body file, relative to the repository.
    public let relativePath: String
    /// The request to normalize.
    public let event: IncomingEvent
    /// Absolute path of the golden file.
    public let goldenPath: String
    /// Whether the case must be rejected.
    public let isInvalid: Bool

    public var description: String { relativePath }

    /// The golden file's text, or nil when it does not exist yet.
    public func golden() -> String? {
        try? String(contentsOfFile: goldenPath, encoding: .utf8)
    }

    /// Writes `text` as the golden file (used with `UPDATE_GOLDENS=1`).
    public func writeGolden(_ text: String) throws {
        try text.write(toFile: goldenPath, atomically: true, encoding: .utf8)
    }
}

/// Sidecar: `{"headers": {"Content-Type": "..."}, "path": "...", "dialect": "...", "receivedAt": "...", "detect": true}`.
///
/// Valid cases are detected unless the sidecar names a dialect; invalid cases are decoded with their
/// folder's dialect unless the sidecar asks for detection (`"detect": true`) or names another dialect.
struct Sidecar {
    var headers = EventHeaders()
    var path: String?
    var dialect: String?
    var receivedAt: Timestamp?
    var detect = false

    init() {}

    init(json bytes: [UInt8], file: String) throws {
        let value = try RawJSON(validating: bytes).value
        guard case .object(let members) = value else { throw FixtureError("\(file): the sidecar must be a JSON object") }
        for member in members {
            switch (member.key, member.value) {
            case ("headers", .object(let fields)):
                for field in fields {
                    guard let text = field.value.stringValue else { throw FixtureError("\(file): header \(field.key) must be a string") }
                    headers.append(name: field.key, value: text)
                }
            case ("path", .string(let text)): path = text
            case ("dialect", .string(let text)): dialect = text
            case ("detect", .bool(let flag)): detect = flag
            case ("receivedAt", .string(let text)):
                guard let time = Timestamp(rfc3339: text) else { throw FixtureError("\(file): receivedAt must be RFC 3339") }
                receivedAt = time
            default:
                throw FixtureError("\(file): unknown or mistyped sidecar member \"\(member.key)\"")
            }
        }
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
