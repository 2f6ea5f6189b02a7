import Foundation
import GatewayCore
import Hummingbird
import HTTPTypes
import NIOCore
import NIOHTTP1

extension Request {
    /// The whole body, refusing more than `limit` bytes with 413 (before reading, when the
    /// `Content-Length` already says so).
    mutating func collectBody(limit: Int) async throws -> [UInt8] {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw GatewayHTTPError.bodyTooLarge(limit: limit)
        }
        do {
            var buffer = try await collectBody(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            throw GatewayHTTPError.bodyTooLarge(limit: limit)
        }
    }

    /// The request as the normalizer sees it: body, headers in order, path with query, the dialect
    /// the endpoint names, and the time it arrived.
    func incomingEvent(body: [UInt8], dialect: String? = nil) -> IncomingEvent {
        IncomingEvent(head: head, body: body, dialect: dialect)
    }
}

extension IncomingEvent {
    /// The event a request with `head` and `body` carries, arriving now.
    init(head: HTTPRequest, body: [UInt8], dialect: String?) {
        var fields = EventHeaders()
        for field in head.headerFields { fields.append(name: field.name.canonicalName, value: field.value) }
        self.init(body: body, headers: fields, path: head.path ?? "/", dialect: dialect, receivedAt: .now)
    }

    /// The same from an HTTP/1 head as NIO decodes it: header names lowercased and the first `Host`
    /// left out, as HTTP types keep them (the host becomes the request's authority).
    init(head: HTTPRequestHead, body: [UInt8], dialect: String?) {
        var fields = EventHeaders()
        var skippedHost = false
        for (name, value) in head.headers {
            let canonical = name.lowercased()
            if !skippedHost, canonical == "host" {
                skippedHost = true
                continue
            }
            fields.append(name: canonical, value: value)
        }
        self.init(body: body, headers: fields, path: head.uri, dialect: dialect, receivedAt: .now)
    }
}

extension GatewayHTTPError {
    /// 413 for a body over `server.max_body`.
    static func bodyTooLarge(limit: Int) -> GatewayHTTPError {
        var error = GatewayHTTPError(
            .contentTooLarge, code: "body_too_large", message: "the request body is larger than the limit of \(limit) bytes (server.max_body)")
        error.detail.limit = limit
        return error
    }
}

extension Timestamp {
    /// The current time.
    static var now: Timestamp? {
        let seconds = Date().timeIntervalSince1970
        let whole = seconds.rounded(.down)
        return Timestamp(seconds: Int64(whole), nanoseconds: Int32((seconds - whole) * 1e9))
    }
}
