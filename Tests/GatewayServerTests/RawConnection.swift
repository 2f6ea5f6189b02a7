import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP connection to 127.0.0.1 that writes bytes exactly as given and reads answers as they come:
/// for pipelined requests, requests split across writes, and watching the server close.
///
/// Its socket calls block, so they run on a Dispatch thread, never on Swift concurrency's few threads
/// (which the server under test may need to answer). One task uses a connection at a time.
final class RawConnection: @unchecked Sendable {
    private let socket: Int32
    private var received: [UInt8] = []

    /// One HTTP/1.1 answer read off the connection.
    struct Answer: Sendable {
        var status: Int
        /// Field names lowercased, in order.
        var headers: [(String, String)]
        var body: String

        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects, with reads timing out after `timeout` seconds.
    init(port: Int, timeout: Int = 10) throws {
        #if canImport(Darwin)
        socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #else
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(socket)
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
    }

    deinit { close(socket) }

    /// Writes `text` in one write.
    func write(_ text: String) async throws {
        try await blocking { try self.writeNow(text) }
    }

    /// Reads the next complete answer (its body sized by `Content-Length`).
    func readAnswer() async throws -> Answer {
        try await blocking { try self.readAnswerNow() }
    }

    /// Whether the server closed the connection (reading returns end of file) with nothing more sent.
    func readsEndOfFile() async throws -> Bool {
        try await blocking { try !self.receive() && self.received.isEmpty }
    }

    private func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func writeNow(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw Failure(description: "send: errno \(errno)") }
            sent += count
        }
    }

    private func readAnswerNow() throws -> Answer {
        while true {
            if let (answer, length) = Self.parse(received) {
                received.removeFirst(length)
                return answer
            }
            guard try receive() else {
                throw Failure(description: "the connection closed after \(received.count) bytes of an incomplete answer")
            }
        }
    }

    /// Appends what arrives; false at end of file.
    private func receive() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw Failure(description: "recv: errno \(errno) (a timeout is EAGAIN)") }
        received += buffer[..<count]
        return count > 0
    }

    /// An answer at the start of `bytes`, and how many bytes it takes.
    static func parse(_ bytes: [UInt8]) -> (Answer, Int)? {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.dropLast(3).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        let headers = lines.dropFirst().map { line -> (String, String) in
            let colon = line.firstIndex(of: ":") ?? line.endIndex
            return (line[..<colon].lowercased(), line[colon...].dropFirst().trimmingCharacters(in: .whitespaces))
        }
        let length = headers.first { $0.0 == "content-length" }.flatMap { Int($0.1) } ?? 0
        let total = end + 4 + length
        guard bytes.count >= total else { return nil }
        return (Answer(status: status, headers: headers, body: String(decoding: bytes[(end + 4)..<total], as: UTF8.self)), total)
    }
}
