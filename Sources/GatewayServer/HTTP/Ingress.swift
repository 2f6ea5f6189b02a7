import Foundation
import GatewayCore
import Hummingbird
import Logging

/// The HTTP endpoints: where triggers post events, health and readiness.
struct Ingress: Sendable {
    let configuration: GatewayConfiguration
    let routes: RouteTableStore
    let logger: Logger
    let normalizer = Normalizer()

    func register(on router: Router<BasicRequestContext>) {
        router.get("healthz") { _, _ in Self.json(["status": "ok"]) }
        router.get("readyz") { _, _ in readiness() }
        router.post("/") { request, _ in try await accept(request, dialect: nil) }
        router.post("events/:dialect") { request, context in
            try await accept(request, dialect: try context.parameters.require("dialect"))
        }
        router.post("api/v1/namespaces/:namespace/triggers/:trigger") { request, _ in try await accept(request, dialect: nil) }
        router.post("namespaces/:namespace/triggers/:trigger") { request, _ in try await accept(request, dialect: nil) }
    }

    /// 200 once a route table is loaded (the routes folder read without errors at least once), 503 before.
    func readiness() -> Response {
        let status = routes.status
        let ready = status.version > 0
        var body: [String: String] = ["status": ready ? "ready" : "not ready", "routes.version": "\(status.version)"]
        if !status.lastErrors.isEmpty { body["routes.errors"] = "\(status.lastErrors.count)" }
        return Self.json(body, status: ready ? .ok : .serviceUnavailable)
    }

    /// Normalizes and routes one request.
    func accept(_ request: Request, dialect: String?) async throws -> Response {
        var request = request
        let body = try await request.collectBody(limit: configuration.maxBodyBytes)
        let event = request.incomingEvent(body: body, dialect: dialect)
        let normalization: Normalization
        do {
            normalization = try normalizer.normalize(event)
        } catch {
            throw error.httpError
        }
        let table = routes.table
        let ids = normalization.envelopes.map(\.id)
        for envelope in normalization.envelopes {
            let match = table.match(envelope)
            logger.info(
                "accepted", metadata: ["event.id": "\(envelope.id)", "event.dialect": "\(normalization.dialect)", "route.topics": "\(match.topics)"])
        }
        return Self.json(["accepted": ids], status: .accepted)
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
