import GatewayCore
import NIOCore
import NIOHTTP1

/// The head of a plain HTTP/1 `POST`, read straight from the bytes received.
///
/// NIO's request decoder (`llhttp`'s callbacks and the decoder's buffering) took 8-9% of the sync path's
/// samples; reading here takes 1%, and the path about 4% less CPU. Event sources send plain posts, so
/// those are read here, and only a strict subset of HTTP/1.1: anything else is ``Outcome/other`` and NIO's
/// decoder reads it, and the rest of its connection. So a request is never read two ways.
///
/// Plain means: `POST`, an origin-form target of visible ASCII, `HTTP/1.1` or `HTTP/1.0`, fields of a
/// token name, a colon and a value of visible bytes, spaces and tabs, every line ending in CRLF, at most
/// one `Content-Length` of digits, no `Transfer-Encoding` and no `Upgrade`. Folded lines, bare LFs,
/// spaces before the colon and a second `Content-Length` are the material of request smuggling, and
/// go to NIO's decoder with the rest.
enum PostHead {
    /// What the bytes hold.
    enum Outcome {
        /// The start of a plain post: more bytes are needed.
        case incomplete
        /// Not a plain post.
        case other
        /// A plain post's head, the length of its body and of the head itself.
        case head(HTTPRequestHead, bodyLength: Int, headLength: Int)
    }

    /// More fields than this is not plain.
    static let maxFields = 100

    /// Reads the head at the start of `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var reader = Reader(bytes: bytes)
        return reader.head()
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        mutating func head() -> Outcome {
            let method: StaticString = "POST "
            guard matches(method) else { return index == bytes.count ? .incomplete : .other }
            let targetStart = index
            while index < bytes.count, (0x21...0x7E).contains(bytes[index]) { index += 1 }
            guard index < bytes.count else { return .incomplete }
            guard bytes[index] == Self.space, bytes[targetStart] == UInt8(ascii: "/") else { return .other }
            let target = string(targetStart..<index)
            index += 1
            guard matches("HTTP/1.") else { return index == bytes.count ? .incomplete : .other }
            guard index < bytes.count else { return .incomplete }
            let minor = bytes[index]
            guard minor == UInt8(ascii: "1") || minor == UInt8(ascii: "0") else { return .other }
            index += 1
            guard let ended = lineEnd() else { return .incomplete }
            guard ended else { return .other }
            return fields(target: target, version: minor == UInt8(ascii: "1") ? .http1_1 : .http1_0)
        }

        /// The fields up to the blank line, then the head.
        private mutating func fields(target: String, version: HTTPVersion) -> Outcome {
            var fields: [(String, String)] = []
            var bodyLength: Int?
            while true {
                guard index < bytes.count else { return .incomplete }
                if bytes[index] == Self.cr {
                    guard index + 1 < bytes.count else { return .incomplete }
                    guard bytes[index + 1] == Self.lf else { return .other }
                    index += 2
                    break
                }
                let nameStart = index
                while index < bytes.count, HTTPSyntax.isTokenByte(bytes[index]) { index += 1 }
                guard index < bytes.count else { return .incomplete }
                guard bytes[index] == UInt8(ascii: ":"), index > nameStart else { return .other }
                let name = nameStart..<index
                index += 1
                while index < bytes.count, bytes[index] == Self.space || bytes[index] == Self.tab { index += 1 }
                let valueStart = index
                while index < bytes.count, Self.isValueByte(bytes[index]) { index += 1 }
                var valueEnd = index
                guard let ended = lineEnd() else { return .incomplete }
                guard ended else { return .other }
                while valueEnd > valueStart, bytes[valueEnd - 1] == Self.space || bytes[valueEnd - 1] == Self.tab { valueEnd -= 1 }
                switch special(name) {
                case .contentLength:
                    guard bodyLength == nil, let length = HTTPSyntax.decimal(slice(valueStart..<valueEnd)) else { return .other }
                    bodyLength = length
                case .framing:
                    return .other
                case nil:
                    break
                }
                fields.append((string(name), string(valueStart..<valueEnd)))
                guard fields.count <= PostHead.maxFields else { return .other }
            }
            let head = HTTPRequestHead(version: version, method: .POST, uri: target, headers: HTTPHeaders(fields))
            return .head(head, bodyLength: bodyLength ?? 0, headLength: index)
        }

        /// Whether the bytes at `index` start with `text` (moving past it); false at the first byte that
        /// differs or at the end of the bytes.
        private mutating func matches(_ text: StaticString) -> Bool {
            for offset in 0..<text.utf8CodeUnitCount {
                guard index < bytes.count else { return false }
                guard bytes[index] == text.utf8Start[offset] else { return false }
                index += 1
            }
            return true
        }

        /// At a line's end: true past its CRLF, false for anything else there, nil when the bytes end first.
        private mutating func lineEnd() -> Bool? {
            guard index < bytes.count else { return nil }
            guard bytes[index] == Self.cr else { return false }
            guard index + 1 < bytes.count else { return nil }
            guard bytes[index + 1] == Self.lf else { return false }
            index += 2
            return true
        }

        private enum Special {
            case contentLength
            /// Fields that change how the message is framed or what the connection becomes.
            case framing
        }

        private func special(_ name: Range<Int>) -> Special? {
            let name = slice(name)
            if name.caseInsensitiveEquals("content-length") { return .contentLength }
            if name.caseInsensitiveEquals("transfer-encoding") || name.caseInsensitiveEquals("upgrade") { return .framing }
            return nil
        }

        private func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: bytes[range])
        }

        private func string(_ range: Range<Int>) -> String {
            String(decoding: slice(range), as: UTF8.self)
        }

        static let space = UInt8(ascii: " ")
        static let tab = UInt8(ascii: "\t")
        static let cr = UInt8(ascii: "\r")
        static let lf = UInt8(ascii: "\n")

        /// Visible ASCII, spaces, tabs and bytes above ASCII (`obs-text`): no controls, so no CR or LF.
        static func isValueByte(_ byte: UInt8) -> Bool {
            byte == tab || (0x20...0x7E).contains(byte) || byte >= 0x80
        }
    }
}
