import Foundation
import GatewayCore
import GatewayDelivery
import Hummingbird
import HTTPTypes
import Logging

/// The HTTP endpoints: where triggers post events, calls by name, the local APIG path, health and
/// readiness.
struct Ingress: Sendable {
    let configuration: GatewayConfiguration
    let routes: RouteTableStore
    let dispatcher: Dispatcher
    let queue: GatewayQueue
    let logger: Logger
    let normalizer = Normalizer()

    func register(on router: Router<BasicRequestContext>) {
        router.add(middleware: NotFoundMiddleware())
        router.get("healthz") { _, _ in Self.json(["status": "ok"]) }
        router.get("readyz") { _, _ in await readiness() }
        // Most event posts never reach these two: EventPostHandler answers them on the connection.
        router.post("/") { request, _ in try await events(request, dialect: nil).response }
        router.post("events/:dialect") { request, context in
            try await events(request, dialect: try context.parameters.require("dialect")).response
        }
        for prefix in ["api/v1/namespaces", "namespaces"] {
            router.post("\(prefix)/:namespace/triggers/:trigger") { request, _ in try await triggerFire(request) }
        }
        router.post("function/:name") { request, context in try await callByName(request, try context.parameters.require("name")) }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head, .options] {
            // `apig` alone is the API's root, `/`, which `apig/**` does not match.
            for path in ["apig", "apig/**"] {
                router.on(RouterPath(path), method: method) { request, _ in try await localAPIG(request) }
            }
        }
    }

    // MARK: Endpoints

    /// `POST /` and `POST /events/{dialect}`: 202 with the envelope ids once the async calls are queued;
    /// 200 with the results when sync functions were called (502 when one of them failed); APIG
    /// events get the function's answer in the APIG shape.
    func events(_ request: Request, dialect: String?) async throws -> Answer {
        try await events(incomingEvent(request, dialect: dialect))
    }

    /// The answer to an event post, thrown errors included (as ``EventPostHandler`` needs it).
    func answer(_ event: IncomingEvent) async -> Answer {
        do {
            return try await events(event)
        } catch let error as GatewayHTTPError {
            return error.answer
        } catch {
            logger.error("an event post failed: \(error)")
            return GatewayHTTPError(.internalServerError, code: "internal", message: "the gateway failed to take the event: \(error)").answer
        }
    }

    func events(_ event: IncomingEvent) async throws -> Answer {
        let normalization = try normalize(event)
        if normalization.dialect == "functiongraph.apig" {
            return .json(bytes: try await answerAPIG(normalization, event).jsonBytes())
        }
        if normalization.dialect == "extremum.call", let envelope = normalization.envelopes.first {
            return try await directCall(envelope, event)
        }
        let report = try await deliver(normalization, event)
        return Self.reportAnswer(report)
    }

    /// OpenWhisk trigger fire: 202 `{"activationId": ...}` with `x-openwhisk-activation-id`, or 204 when
    /// no function takes the event.
    func triggerFire(_ request: Request) async throws -> Response {
        let (event, normalization) = try await normalize(request, dialect: nil)
        let report = try await deliver(normalization, event)
        guard !report.isEmpty, let activation = report.envelopeIDs.first else { return Response(status: .noContent) }
        var response = Self.json(["activationId": activation], status: .accepted)
        response.headers[HTTPField.Name("x-openwhisk-activation-id")!] = activation
        return response
    }

    /// `POST /function/{name}`: the body passed through to one function, its answer passed back.
    func callByName(_ request: Request, _ name: String) async throws -> Response {
        var request = request
        let body = try await request.collectBody(limit: configuration.maxBodyBytes)
        let event = request.incomingEvent(body: body)
        guard let function = dispatcher.function(named: name) else { throw Self.unknownFunction(name) }
        if case .cloudevents = function.target {
            // A sink takes CloudEvents, one per request; a passed-through body is none.
            throw GatewayHTTPError(
                .unprocessableContent, code: "not_callable_by_name",
                message: "function \(function.address) is a CloudEvents sink: it takes events, not a passed-through body; POST the event to / or /events/{dialect}")
        }
        return Self.functionAnswer(await dispatcher.invoke(function, event: event)).response
    }

    /// `/apig/{path...}`, any method: the request becomes a FunctionGraph APIG event, the subscribed
    /// function's APIG answer becomes the HTTP response (for running FunctionGraph functions locally).
    func localAPIG(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(limit: configuration.maxBodyBytes)
        let event = Self.apigEvent(request, body: body)
        let answer = try await answerAPIG(try normalize(event), event).httpResponse()
        var fields = HTTPFields()
        for header in answer.headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// The APIG event FunctionGraph would send for `request`: its method, path (``apigPath(_:)``), query,
    /// headers with `host` and without the connection's own, and body.
    static func apigEvent(_ request: Request, body: [UInt8]) -> IncomingEvent {
        // HTTPTypes keeps an HTTP/1 Host header as the request's authority; APIG events carry it as `host`.
        let host = request.head.authority.map { [HeaderField("host", $0)] } ?? []
        let forwarded = request.headers.filter { !connectionHeaders.contains($0.name.canonicalName) }
        let headers = host + forwarded.map { HeaderField($0.name.canonicalName, $0.value) }
        let bytes = APIGEvent.build(
            method: request.method.rawValue, path: apigPath(request.uri.path), query: request.uri.query, headers: headers, body: body)
        return IncomingEvent(body: bytes, headers: ["content-type": "application/json"], dialect: "functiongraph.apig", receivedAt: .now)
    }

    /// Headers about the connection to the gateway (RFC 9110, 7.6.1), which APIG does not pass on.
    static let connectionHeaders: Set<String> = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]

    /// The path of a `/apig/...` request as APIG gives it to functions: what follows `/apig`, `/` for
    /// nothing, trailing slash kept, percent-escapes decoded (kept as sent when they are not valid UTF-8).
    static func apigPath(_ requestPath: String) -> String {
        let rest = requestPath.dropFirst("/apig".count)
        let path = rest.isEmpty ? "/" : String(rest)
        return URIReference.percentDecode(path) ?? path
    }

    /// 200 once a route table is loaded (the routes folder read without errors at least once) and the
    /// delivery store is open, answers and has room; 503 otherwise.
    func readiness() async -> Response {
        let status = routes.status
        let routesReady = status.version > 0
        let (queueReady, fields) = await queue.readiness()
        var body = fields
        body["status"] = routesReady && queueReady ? "ready" : "not ready"
        body["routes.version"] = "\(status.version)"
        if !status.lastErrors.isEmpty { body["routes.errors"] = "\(status.lastErrors.count)" }
        return Self.json(body, status: routesReady && queueReady ? .ok : .serviceUnavailable)
    }

    // MARK: Steps

    func normalize(_ request: Request, dialect: String?) async throws -> (IncomingEvent, Normalization) {
        let event = try await incomingEvent(request, dialect: dialect)
        return (event, try normalize(event))
    }

    /// The request's event, its body read up to `server.max_body`.
    func incomingEvent(_ request: Request, dialect: String?) async throws -> IncomingEvent {
        var request = request
        let body = try await request.collectBody(limit: configuration.maxBodyBytes)
        return request.incomingEvent(body: body, dialect: dialect)
    }

    func normalize(_ event: IncomingEvent) throws -> Normalization {
        do {
            return try normalizer.normalize(event)
        } catch {
            throw error.httpError
        }
    }

    func deliver(_ normalization: Normalization, _ event: IncomingEvent) async throws -> Dispatcher.Report {
        try await deliver(dispatcher.plan(normalization), normalization, event)
    }

    /// Delivers `plan`, but for the positions in `skipped`.
    ///
    /// - Throws: When the queue refuses the async calls (none is queued then), an answer that tells the
    ///   trigger to retry: 429 `queue_full` with `Retry-After` when it has no room, 503
    ///   `store_unavailable` when the store failed.
    func deliver(_ plan: DeliveryPlan, _ normalization: Normalization, _ event: IncomingEvent, skipping skipped: Set<Int> = []) async throws
        -> Dispatcher.Report
    {
        do {
            return try await dispatcher.deliver(plan, normalization, from: event, skipping: skipped)
        } catch let error as QueueFullError {
            throw GatewayHTTPError(
                .tooManyRequests, code: "queue_full", message: "\(error); nothing of the request was accepted", retryAfter: error.retryAfter)
        } catch {
            logger.error("the delivery store failed to take calls: \(error)")
            throw GatewayHTTPError(
                .serviceUnavailable, code: "store_unavailable", message: "the delivery store cannot take calls now; nothing of the request was accepted",
                retryAfter: .seconds(1))
        }
    }

    /// The APIG contract: one subscriber is called synchronously and its answer returned in the APIG
    /// shape, the first sync one (the mode whose answer a request gets), else the first one; other
    /// subscribers are delivered as usual.
    func answerAPIG(_ normalization: Normalization, _ event: IncomingEvent) async throws -> APIGResponse {
        let plan = dispatcher.plan(normalization)
        guard let position = plan.calls.firstIndex(where: { $0.function.mode == .sync }) ?? plan.calls.indices.first else {
            _ = try await deliver(plan, normalization, event)
            return .failure(.noSubscriber, message: "no function subscribes to this API's topics")
        }
        _ = try await deliver(plan, normalization, event, skipping: [position])
        let invocations = Dispatcher.invocations(plan.calls[position], normalization, event)
        guard let invocation = invocations.first else { return .failure(.internalError, message: "nothing to call") }
        let result = await dispatcher.invoker.invoke(invocation)
        return Self.apigAnswer(result)
    }

    static func apigAnswer(_ result: InvocationResult) -> APIGResponse {
        if let error = result.error {
            return .failure(error.code == .timeout ? .timeout : .functionError, message: "\(result.function ?? "the function"): \(error.message)")
        }
        let headers = result.headers
        return APIGResponse.answer(to: FunctionAnswer(status: result.status ?? 502, headers: headers, body: result.body))
    }

    /// An extremum direct call: `context.function` (in `context.package`) answers the request.
    func directCall(_ envelope: Envelope, _ event: IncomingEvent) async throws -> Answer {
        guard case .string(let function)? = envelope.extensions["function"] else { throw Self.unknownFunction("") }
        var address = function
        if case .string(let package)? = envelope.extensions["package"] { address += ".\(package)" }
        let result = await dispatcher.invoke(named: address, event: event, envelopes: [envelope])
        if let result { return Self.functionAnswer(result) }
        // A package may be unknown to the gateway: the function's bare name still finds it.
        guard address != function, let result = await dispatcher.invoke(named: function, event: event, envelopes: [envelope]) else {
            throw Self.unknownFunction(address)
        }
        return Self.functionAnswer(result)
    }

    // MARK: Answers

    static func unknownFunction(_ name: String) -> GatewayHTTPError {
        GatewayHTTPError(
            .notFound, code: "unknown_function",
            message: "no function named \"\(name)\": declare it under functions: in a route file, or give it a topic annotation on OpenFaaS")
    }

    /// A function's own answer: its status, content type and body; 502 or 504 when it gave none.
    static func functionAnswer(_ result: InvocationResult) -> Answer {
        guard let status = result.status else {
            let timedOut = result.error?.code == .timeout
            return GatewayHTTPError(
                timedOut ? .gatewayTimeout : .badGateway, code: result.error?.code.rawValue ?? "failed",
                message: result.error?.message ?? "the function gave no answer"
            ).answer
        }
        var headers = HTTPFields()
        if let contentType = result.header("content-type") { headers[.contentType] = contentType }
        return Answer(status: HTTPResponse.Status(code: status), headers: headers, body: result.body)
    }

    /// 202 `{"accepted": [...], "queued": n}` when every call was queued (with `"duplicates": n` for
    /// calls already queued within the deduplication window: a re-sent event); 200 with the sync
    /// results, or 502 when one of them failed (so that the trigger retries).
    static func reportAnswer(_ report: Dispatcher.Report) -> Answer {
        let summary = ReportBody(report).jsonBytes
        guard !report.results.isEmpty else { return .json(bytes: summary, status: .accepted) }
        let failed = report.results.contains { $0.outcome != .delivered }
        return .json(bytes: summary, status: failed ? .badGateway : .ok)
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Answer.json(bytes: Array((try? encoder.encode(value)) ?? Data("{}".utf8)), status: status).response
    }
}

/// The JSON answer to an accepted request.
struct ReportBody {
    var accepted: [String]
    var queued: Int
    /// Calls of a re-sent event, queued already within the deduplication window: not queued again.
    var duplicates: Int?
    var unsubscribed: Int
    var results: [Result]?

    struct Result {
        var function: String?
        var status: Int?
        var outcome: String
        var error: String?
    }

    init(_ report: Dispatcher.Report) {
        accepted = report.envelopeIDs
        queued = report.queued.count
        duplicates = report.duplicates == 0 ? nil : report.duplicates
        unsubscribed = report.unsubscribed
        results =
            report.results.isEmpty
            ? nil : report.results.map { Result(function: $0.function, status: $0.status, outcome: $0.outcome.rawValue, error: $0.error?.description) }
    }
}

extension ReportBody {
    /// The body as `JSONEncoder` with sorted keys would write it, without its cost: this answers every event.
    var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("accepted")
        writer.beginArray()
        for id in accepted { writer.string(id) }
        writer.endArray()
        if let duplicates {
            writer.key("duplicates")
            writer.integer(duplicates)
        }
        writer.key("queued")
        writer.integer(queued)
        if let results {
            writer.key("results")
            writer.beginArray()
            for result in results { result.write(to: &writer) }
            writer.endArray()
        }
        writer.key("unsubscribed")
        writer.integer(unsubscribed)
        writer.endObject()
        return writer.bytes
    }
}

extension ReportBody.Result {
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        if let error {
            writer.key("error")
            writer.string(error)
        }
        if let function {
            writer.key("function")
            writer.string(function)
        }
        writer.key("outcome")
        writer.string(outcome)
        if let status {
            writer.key("status")
            writer.integer(status)
        }
        writer.endObject()
    }
}
