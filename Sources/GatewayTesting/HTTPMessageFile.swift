public import GatewayCore

/// A request written out as text (`.http` files): an optional request line, header lines, a blank line,
/// then the body.
public struct HTTPMessageFile: Sendable {
    /// The request path, when the file has a request line.
    public var path: String?
    public var headers = EventHeaders()
    public var body: [UInt8] = []
    /// Whether the text is a response (`HTTP/1.1 202 Accepted`) rather than a request.
    public var isResponse = false

    public init(text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }[...]
        if let first = lines.first {
            if first.hasPrefix("HTTP/") {
                isResponse = true
                lines = lines.dropFirst()
            } else if let space = first.firstIndex(of: " "), first[..<space].allSatisfy(\.isUppercase), first.hasSuffix("HTTP/1.1") {
                path = first[first.index(after: space)...].split(separator: " ").first.map(String.init)
                lines = lines.dropFirst()
            }
        }
        while let line = lines.first, !line.isEmpty {
            lines = lines.dropFirst()
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingSpacesForHeader())
        }
        body = Array(lines.dropFirst().joined(separator: "\n").utf8)
    }
}

extension Substring {
    fileprivate func trimmingSpacesForHeader() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
