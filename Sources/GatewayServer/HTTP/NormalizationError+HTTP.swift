public import GatewayCore
import Hummingbird

extension NormalizationError {
    /// The answer for a request that could not be normalized: 400 for bodies that are not JSON at all,
    /// 415 for a content type that cannot carry the dialect, 404 for a dialect that does not exist, 422
    /// for well-formed bodies that break their dialect's rules.
    public var httpError: GatewayHTTPError {
        var error = GatewayHTTPError(status, code: code.rawValue, message: message)
        error.detail.dialect = dialect
        error.detail.path = path
        error.detail.expected = expected
        error.detail.found = found
        error.detail.line = location?.line
        error.detail.column = location?.column
        return error
    }

    var status: HTTPResponse.Status {
        switch code {
        case .emptyBody, .malformedJSON: .badRequest
        case .unsupportedContentType: .unsupportedMediaType
        case .unknownDialect: .notFound
        default: .unprocessableContent
        }
    }
}
