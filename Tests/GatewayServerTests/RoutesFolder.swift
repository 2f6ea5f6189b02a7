import Foundation
import GatewayCore

/// A routes folder in a fresh temporary directory, removed when the value goes away, with a data
/// directory of its own beside it for the gateway's delivery store (inside, its writes would look like
/// route changes).
final class RoutesFolder: @unchecked Sendable {
    let path: String

    /// The delivery store's directory: `PATH-data`, created by the gateway.
    var dataPath: String { Self.dataPath(forRoutes: path) }

    static func dataPath(forRoutes path: String) -> String { path + "-data" }

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: dataPath)
    }

    /// Writes `text` to `file` (relative; folders are created).
    func write(_ file: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func remove(_ file: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + file)
    }

    /// A route file with one route per `(id, type)`: the route matches envelopes of that type.
    static func routes(_ routes: [(id: String, type: String)]) -> String {
        "routes:\n"
            + routes.map { route in
                """
                  - id: \(route.id)
                    topic: topic.\(route.id)
                    when:
                      type: \(route.type)

                """
            }.joined()
    }
}

/// An envelope of `type`.
func envelope(type: String) -> Envelope {
    Envelope(id: "1", source: "/tests", type: type)
}
