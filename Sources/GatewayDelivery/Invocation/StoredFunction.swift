import GatewayCore

/// A ``FunctionSpec`` in a Codable form, for stored invocations (the core type stays free of Codable,
/// whose shape would become a storage format by accident).
struct StoredFunction: Decodable, Hashable {
    struct Target: Decodable, Hashable {
        /// `http`, `openfaas`, `cloudevents` or `log`.
        var kind: String
        /// The URL, gateway or sink; nil for `log`.
        var url: String?
    }

    struct Location: Decodable, Hashable {
        var file: String
        var line: Int
        var column: Int
    }

    /// ``RetrySettings`` with durations in nanoseconds; nil when every setting is the default.
    struct Retry: Decodable, Hashable {
        var maxAttempts: Int?
        var maxAgeNanoseconds: Int64?
        var backoffNanoseconds: Int64?
        var maxBackoffNanoseconds: Int64?
        var maxRetryAfterNanoseconds: Int64?

        init(_ settings: RetrySettings) {
            maxAttempts = settings.maxAttempts
            maxAgeNanoseconds = settings.maxAge?.nanoseconds
            backoffNanoseconds = settings.backoff?.nanoseconds
            maxBackoffNanoseconds = settings.maxBackoff?.nanoseconds
            maxRetryAfterNanoseconds = settings.maxRetryAfter?.nanoseconds
        }

        var settings: RetrySettings {
            RetrySettings(
                maxAttempts: maxAttempts, maxAge: maxAgeNanoseconds.map { .nanoseconds($0) }, backoff: backoffNanoseconds.map { .nanoseconds($0) },
                maxBackoff: maxBackoffNanoseconds.map { .nanoseconds($0) }, maxRetryAfter: maxRetryAfterNanoseconds.map { .nanoseconds($0) })
        }
    }

    var name: String
    var namespace: String?
    var target: Target
    var topics: [String]
    var mode: String
    var body: String
    var contentType: String?
    var headers: [CodableHeader]
    /// Nanoseconds: exact for every timeout written in seconds or milliseconds.
    var timeoutNanoseconds: Int64
    var concurrency: Int
    var callbackURL: String?
    var retry: Retry?
    var location: Location?

    init(_ function: FunctionSpec) {
        name = function.name
        namespace = function.namespace
        target =
            switch function.target {
            case .http(let url): Target(kind: "http", url: url)
            case .openfaas(let gateway): Target(kind: "openfaas", url: gateway)
            case .cloudevents(let sink): Target(kind: "cloudevents", url: sink)
            case .log: Target(kind: "log", url: nil)
            }
        topics = function.topics
        mode = function.mode.rawValue
        body = function.body.rawValue
        contentType = function.contentType
        headers = function.headers.map(CodableHeader.init)
        timeoutNanoseconds = function.timeout.nanoseconds
        concurrency = function.concurrency
        callbackURL = function.callbackURL
        retry = function.retry.isEmpty ? nil : Retry(function.retry)
        location = function.location.map { Location(file: $0.file, line: $0.line, column: $0.column) }
    }

    /// The function back, or an error naming the field that holds an unknown value.
    func spec(codingPath: [any CodingKey]) throws -> FunctionSpec {
        func invalid(_ field: String, _ value: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "unknown \(field) \"\(value)\""))
        }
        let resolvedTarget: FunctionTarget
        switch (target.kind, target.url) {
        case ("http", let url?): resolvedTarget = .http(url: url)
        case ("openfaas", let url?): resolvedTarget = .openfaas(gateway: url)
        case ("cloudevents", let url?): resolvedTarget = .cloudevents(sink: url)
        case ("log", _): resolvedTarget = .log
        case ("http", nil), ("openfaas", nil), ("cloudevents", nil):
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "a \(target.kind) target needs a url"))
        default: throw invalid("target", target.kind)
        }
        guard let mode = InvocationMode(rawValue: mode) else { throw invalid("mode", mode) }
        guard let body = BodyFormat(rawValue: body) else { throw invalid("body format", body) }
        return FunctionSpec(
            name: name, namespace: namespace, target: resolvedTarget, topics: topics, mode: mode, body: body, contentType: contentType,
            headers: headers.map(\.field), timeout: .nanoseconds(timeoutNanoseconds), concurrency: concurrency, callbackURL: callbackURL,
            retry: retry?.settings ?? RetrySettings(), location: location.map { SourceLocation(file: $0.file, line: $0.line, column: $0.column) })
    }

    /// Writes the form `Decodable` reads: the synthesised keys, nil members left out.
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("name", name)
        writer.member("namespace", namespace)
        writer.key("target")
        writer.beginObject()
        writer.member("kind", target.kind)
        writer.member("url", target.url)
        writer.endObject()
        writer.key("topics")
        writer.strings(topics)
        writer.member("mode", mode)
        writer.member("body", body)
        writer.member("contentType", contentType)
        writer.key("headers")
        CodableHeader.write(headers.map(\.field), to: &writer)
        writer.member("timeoutNanoseconds", timeoutNanoseconds)
        writer.member("concurrency", concurrency)
        writer.member("callbackURL", callbackURL)
        if let retry {
            writer.key("retry")
            writer.beginObject()
            writer.member("maxAttempts", retry.maxAttempts)
            writer.member("maxAgeNanoseconds", retry.maxAgeNanoseconds)
            writer.member("backoffNanoseconds", retry.backoffNanoseconds)
            writer.member("maxBackoffNanoseconds", retry.maxBackoffNanoseconds)
            writer.member("maxRetryAfterNanoseconds", retry.maxRetryAfterNanoseconds)
            writer.endObject()
        }
        if let location {
            writer.key("location")
            writer.beginObject()
            writer.member("file", location.file)
            writer.member("line", location.line)
            writer.member("column", location.column)
            writer.endObject()
        }
        writer.endObject()
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at the bounds of Int64.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? (seconds < 0 ? .min : .max) : total
    }
}
