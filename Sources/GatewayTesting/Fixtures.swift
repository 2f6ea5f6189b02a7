public import GatewayCore
import Foundation

/// Finds the fixture cases of the repository.
public enum Fixtures {
    /// The repository's `fixtures/` folder, found from this source file.
    public static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures").path
    }

    /// The repository root.
    public static var repository: String {
        URL(fileURLWithPath: root).deletingLastPathComponent().path
    }

    static let goldenSuffixes = [".envelopes.json", ".error.json", ".request.json"]

    /// Every valid case (`fixtures/<platform>/<dialect>/<case>.*`), sorted by path.
    public static func valid(root: String = root) throws -> [Fixture] {
        try cases(root: root, invalid: false)
    }

    /// Every invalid case (`fixtures/<platform>/<dialect>/invalid/<case>.*`), sorted by path.
    public static func invalid(root: String = root) throws -> [Fixture] {
        try cases(root: root, invalid: true)
    }

    private static func cases(root: String, invalid: Bool) throws -> [Fixture] {
        let manager = FileManager.default
        var result: [Fixture] = []
        for platform in try folders(in: root) {
            for dialect in try folders(in: root + "/" + platform) {
                let folder = root + "/" + platform + "/" + dialect + (invalid ? "/invalid" : "")
                guard manager.fileExists(atPath: folder) else { continue }
                for file in try manager.contentsOfDirectory(atPath: folder).sorted() {
                    let path = folder + "/" + file
                    var isDirectory: ObjCBool = false
                    guard manager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                        !file.hasPrefix("."), !goldenSuffixes.contains(where: file.hasSuffix)
                    else { continue }
                    result.append(try fixture(path: path, dialect: platform + "." + dialect, invalid: invalid))
                }
            }
        }
        return result
    }

    private static func fixture(path: String, dialect: String, invalid: Bool) throws -> Fixture {
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent
        let base = url.deletingLastPathComponent().appendingPathComponent(name).path
        guard let body = FileManager.default.contents(atPath: path) else { throw FixtureError("cannot read \(path)") }
        var sidecar = Sidecar()
        if let bytes = FileManager.default.contents(atPath: base + ".request.json") {
            sidecar = try Sidecar(json: Array(bytes), file: base + ".request.json")
        }
        let named = sidecar.dialect ?? (invalid && !sidecar.detect ? dialect : nil)
        let event = IncomingEvent(body: Array(body), headers: sidecar.headers, path: sidecar.path, dialect: named, receivedAt: sidecar.receivedAt)
        return Fixture(
            dialect: dialect,
            name: name,
            relativePath: String(path.dropFirst(repository.count + 1)),
            event: event,
            goldenPath: base + (invalid ? ".error.json" : ".envelopes.json"),
            isInvalid: invalid
        )
    }

    private static func folders(in path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted().filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && name != "invalid" && FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}

extension NormalizationError {
    /// The error as the indented JSON object the `.error.json` golden files hold.
    public var goldenJSON: String {
        var writer = JSONWriter(pretty: true)
        writer.beginObject()
        writer.key("code")
        writer.string(code.rawValue)
        for (key, value) in [("dialect", dialect), ("path", path), ("expected", expected), ("found", found)] {
            guard let value else { continue }
            writer.key(key)
            writer.string(value)
        }
        if let location {
            writer.key("line")
            writer.integer(location.line)
            writer.key("column")
            writer.integer(location.column)
        }
        writer.key("message")
        writer.string(message)
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self) + "\n"
    }
}
