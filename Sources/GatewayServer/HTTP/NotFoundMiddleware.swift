import Hummingbird

/// Answers a request no endpoint takes with the gateway's JSON error body, like every other refusal,
/// instead of the router's empty 404.
struct NotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            throw GatewayHTTPError(
                error.status, code: error.status == .notFound ? "no_endpoint" : "method_not_allowed",
                message: "no endpoint takes \(request.method) \(request.uri.path): events go to POST / or POST /events/{dialect}; "
                    + "see docs/serve.md for the others")
        }
    }
}
