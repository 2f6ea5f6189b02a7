/// Why a discovery build failed: which lookup, and what went wrong with it.
public struct DiscoveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short, stable identifier of the failure, usable as a metric label.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// No answer: connection refused, timed out, reset.
        case unreachable
        /// The gateway refused the credentials (401 or 403).
        case unauthorized
        /// Another status outside 2xx.
        case badStatus = "bad_status"
        /// The answer is not the JSON the OpenFaaS API returns.
        case malformedResponse = "malformed_response"
        /// The gateway URL is not an absolute http(s) URL.
        case invalidGatewayURL = "invalid_gateway_url"
    }

    public var code: Code
    /// The lookup's URL.
    public var url: String
    /// What went wrong and, where it helps, how to fix it.
    public var message: String

    public init(_ code: Code, url: String, _ message: String) {
        self.code = code
        self.url = url
        self.message = message
    }

    /// `GET url: message`.
    public var description: String { "GET \(url): \(message)" }
}
