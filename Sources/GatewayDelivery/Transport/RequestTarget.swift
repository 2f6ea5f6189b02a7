import Foundation

/// Where pooled connections for one URL go: a host and a port.
struct ConnectionKey: Hashable, Sendable {
    var host: String
    var port: Int
}

/// A plain `http` URL parsed once: the connection it needs and the start of every request to it.
///
/// Parsing a URL with Foundation costs more than the rest of a request's encoding, so targets are
/// parsed on first use and cached by URL string (see ``LoopConnections``).
struct RequestTarget: Sendable {
    let key: ConnectionKey
    /// `POST {path?query} HTTP/1.1\r\nHost: {host[:port]}\r\n`.
    let head: [UInt8]

    /// - Returns: nil unless `url` is an absolute `http` URL with a host.
    init?(url: String) {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http",
            var host = components.host, !host.isEmpty
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? 80
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        var authority = host.contains(":") ? "[\(host)]" : host
        if port != 80 { authority += ":\(port)" }
        self.key = ConnectionKey(host: host, port: port)
        self.head = Array("POST \(target) HTTP/1.1\r\nHost: \(authority)\r\n".utf8)
    }
}
