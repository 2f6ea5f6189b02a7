import Foundation
import Yams

/// `functions:`: the functions that subscribe to topics, and how each is called (see `docs/functions.md`).
extension RouteFileParser {
    static let functionKeys = [
        "name", "namespace", "target", "topic", "topics", "mode", "body", "content_type", "headers", "timeout", "concurrency", "callback_url", "retry",
    ]
    static let targetKinds = ["http", "openfaas", "cloudevents"]
    static let targetChoices = "log, {http: URL}, {openfaas: URL} or {cloudevents: URL}"

    /// Headers every call carries already, and what to write instead of setting them by hand.
    static let reservedHeaders: [String: String] = [
        "content-type": "set it with content_type:",
        "x-callback-url": "set it with callback_url:",
        "x-topic": "the gateway sends the topic that selected the function",
        "x-connector": "the gateway sends X-Connector: event-gateway",
        "traceparent": "the gateway forwards the event's own traceparent",
        "content-length": "the gateway sets it from the body",
        "transfer-encoding": "the gateway sets it from the body",
        "host": "the gateway sets it from the target's URL",
        "connection": "the gateway manages its connections",
    ]

    /// The elements of `functions:`; duplicates inside this file are reported here, across files by the loader.
    mutating func declaredFunctions(_ nodes: [Node]) -> [FunctionSpec] {
        let functions = nodes.compactMap { function($0) }
        errors += Self.duplicateFunctionErrors(functionAddresses, acrossFilesOnly: false)
        return functions
    }

    /// An error for each function address written a second time, naming the first.
    ///
    /// - Parameter acrossFilesOnly: Only pairs in different files (each file reported its own).
    static func duplicateFunctionErrors(_ written: [(address: String, location: SourceLocation)], acrossFilesOnly: Bool) -> [RouteError] {
        var first: [String: SourceLocation] = [:]
        var errors: [RouteError] = []
        for (address, location) in written {
            guard let earlier = first[address] else {
                first[address] = location
                continue
            }
            if !acrossFilesOnly || earlier.file != location.file {
                errors.append(
                    RouteError(
                        location, "duplicate function \(NormalizationError.quote(address)); first defined at \(earlier)",
                        hint: "a function's address (name.namespace) is unique across all route files"))
            }
        }
        return errors
    }

    /// One element of `functions:`; nil when anything in it is wrong (the errors say what).
    mutating func function(_ node: Node) -> FunctionSpec? {
        guard case .mapping(let mapping) = node else {
            error(node, "expected a function (a mapping starting with name:), found \(Self.describe(node))", hint: "start each function with `- name:`")
            return nil
        }
        let errorsBefore = errors.count
        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let name = keyText(key) else { continue }
            if Self.functionKeys.contains(name) {
                entries[name] = (key, value)
            } else {
                error(key, "unknown key \"\(name)\" in a function; valid keys: \(Self.functionKeys.joined(separator: ", "))", hint: Self.functionKeyHint(name))
            }
        }
        let name = entries["name"].flatMap { functionName($0.value, "name") }
        let namespace = entries["namespace"].flatMap { functionName($0.value, "namespace") }
        if entries["name"] == nil { error(node, "missing \"name\" (the function's name, like thumbnails)") }
        if let name, let key = entries["name"]?.key, entries["namespace"] == nil || namespace != nil {
            functionAddresses.append((FunctionSpec(name: name, namespace: namespace, target: .log).address, location(key)))
        }
        let target = entries["target"].flatMap { self.target($0.value) }
        if entries["target"] == nil { error(node, "missing \"target\" (where it runs: \(Self.targetChoices))") }
        let topics = subscribedTopics(entries, function: node)
        var spec = FunctionSpec(name: name ?? "", namespace: namespace, target: target ?? .log, topics: topics ?? [])
        spec.location = location(entries["name"]?.key ?? node)
        options(entries, target: target, into: &spec)
        guard errors.count == errorsBefore else { return nil }
        return spec
    }

    /// The optional keys, each checked on its own and against the target (when it is known).
    mutating func options(_ entries: [String: (key: Node, value: Node)], target: FunctionTarget?, into spec: inout FunctionSpec) {
        if let mode: InvocationMode = entries["mode"].flatMap({ choice($0.value, "mode") }) { spec.mode = mode }
        if case .cloudevents = spec.target { spec.body = .binary }
        if let node = entries["body"]?.value, let body: BodyFormat = choice(node, "body", hints: ["structured": "cloudevent", "cloudevents": "cloudevent"]) {
            if case .cloudevents = spec.target, body == .original || body == .grouped {
                error(node, "body: a cloudevents sink takes CloudEvents; write binary (the default for this target) or cloudevent")
            }
            spec.body = body
        }
        spec.contentType = entries["content_type"].flatMap { mediaType($0.value) }
        spec.headers = entries["headers"].flatMap { headerFields($0.value) } ?? []
        if let timeout = entries["timeout"].flatMap({ duration($0.value, "timeout") }) { spec.timeout = timeout }
        if let concurrency = entries["concurrency"].flatMap({ positiveInteger($0.value, "concurrency") }) { spec.concurrency = concurrency }
        if let retry = entries["retry"] { spec.retry = retrySettings(retry.value) ?? RetrySettings() }
        if let callback = entries["callback_url"] {
            spec.callbackURL = url(callback.value, "callback_url")
            if target != nil { callbackCheck(callback.key, spec) }
        }
    }

    /// `callback_url` is the OpenFaaS gateway's `X-Callback-Url`: only its `/async-function/` route calls back.
    mutating func callbackCheck(_ key: Node, _ spec: FunctionSpec) {
        let message = "callback_url: only async OpenFaaS functions take a callback (X-Callback-Url on /async-function/ calls)"
        switch (spec.target, spec.mode) {
        case (.openfaas, .async): break
        case (.openfaas, .sync): error(key, message, hint: "set mode: async, or remove callback_url")
        default: error(key, message, hint: "remove it, or use target: {openfaas: URL} with mode: async")
        }
    }

    /// The hint for an unknown key in a function.
    static func functionKeyHint(_ name: String) -> String? {
        if ["url", "gateway", "sink", "http", "openfaas", "cloudevents"].contains(name) { return "the URL goes under target: {http: URL}, {openfaas: URL} or {cloudevents: URL}" }
        if name == "id" { return "a function is named by name: (and namespace:)" }
        if name == "callback" || name == "callback-url" { return "did you mean `callback_url`?" }
        return closest(name, functionKeys).map { "did you mean `\($0)`?" }
    }

    /// A name or namespace: `[a-z0-9][a-z0-9._-]*`.
    mutating func functionName(_ node: Node, _ key: String) -> String? {
        guard let text = nonEmptyString(node, key) else { return nil }
        func isValid(_ text: String) -> Bool {
            let scalars = text.unicodeScalars
            return scalars.first.map(Self.isNameStart) == true && scalars.allSatisfy { Self.isNameStart($0) || $0 == "." || $0 == "_" || $0 == "-" }
        }
        guard isValid(text) else {
            error(
                node, "\(key): \(NormalizationError.quote(text)) is not valid: use lower-case letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit",
                hint: isValid(text.lowercased()) ? "write \(key): \(text.lowercased())" : nil)
            return nil
        }
        return text
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// `topics: [a, b]`, or `topic: a` for one.
    mutating func subscribedTopics(_ entries: [String: (key: Node, value: Node)], function node: Node) -> [String]? {
        let (topic, topics) = (entries["topic"], entries["topics"])
        if topic == nil, topics == nil {
            error(node, "missing \"topics\" (the topics it subscribes to, like [orders.created]; or topic: for one)")
            return nil
        }
        if topics == nil, let topic, case .sequence = topic.value {
            error(topic.value, "topic: expected a string, found a sequence", hint: "for several topics write topics: [a, b]")
            return nil
        }
        if topic == nil, let topics, case .string(let text) = Self.scalarKind(topics.value) {
            error(topics.value, "topics: expected a sequence, found a string", hint: "write topics: [\(text)], or topic: \(text)")
            return nil
        }
        return self.topics(topic: topic, topics: topics, route: node)
    }

    /// `log`, or a mapping with exactly one of `http`, `openfaas` and `cloudevents` and its URL.
    mutating func target(_ node: Node) -> FunctionTarget? {
        guard case .mapping(let mapping) = node else {
            if case .string("log") = Self.scalarKind(node) { return .log }
            var hint: String?
            if case .string(let text) = Self.scalarKind(node) {
                if Self.targetKinds.contains(text) { hint = "write target: {\(text): URL}" }
                if text.contains("://") { hint = "name the kind of target: {http: \(text)}, or openfaas or cloudevents" }
                if text.lowercased() == "log" { hint = "write target: log" }
            }
            error(node, "target: expected \(Self.targetChoices), found \(Self.describeValue(node))", hint: hint)
            return nil
        }
        var target: FunctionTarget?
        var kinds = 0
        for (key, value) in mapping {
            guard let kind = keyText(key) else { continue }
            guard Self.targetKinds.contains(kind) else {
                let hint =
                    kind == "url"
                    ? "name the kind of target: {http: URL}, {openfaas: URL} or {cloudevents: URL}"
                    : kind == "log" ? "write target: log" : Self.closest(kind, Self.targetKinds).map { "did you mean `\($0)`?" }
                error(key, "unknown target kind \"\(kind)\"; write one of \(Self.targetKinds.joined(separator: ", ")), or target: log", hint: hint)
                continue
            }
            kinds += 1
            guard kinds == 1 else {
                error(key, "target: write exactly one of \(Self.targetKinds.joined(separator: ", ")); a function runs in one place")
                continue
            }
            guard let address = url(value, kind) else { continue }
            switch kind {
            case "http": target = .http(url: address)
            case "openfaas": target = .openfaas(gateway: address)
            default: target = .cloudevents(sink: address)
            }
        }
        if mapping.isEmpty { error(node, "target: expected \(Self.targetChoices), found an empty mapping") }
        return target
    }

    /// "a number", or a string quoted: what was found, for errors about choices.
    static func describeValue(_ node: Node) -> String {
        if case .string(let text) = scalarKind(node) { return NormalizationError.quote(text) }
        return describe(node)
    }

    /// An http or https URL with a host.
    mutating func url(_ node: Node, _ key: String) -> String? {
        guard let text = nonEmptyString(node, key) else { return nil }
        let components = URLComponents(string: text)
        guard let scheme = components?.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = components?.host, !host.isEmpty else {
            error(
                node, "\(key): \(NormalizationError.quote(text)) is not an http or https URL with a host",
                hint: text.contains("://") ? nil : "add the scheme: http://\(text)")
            return nil
        }
        return text
    }

    /// One of a fixed set of words, as the enum's raw values name them.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node, _ key: String, hints: [String: String] = [:]) -> Choice?
    where Choice.RawValue == String {
        let choices = Choice.allCases.map(\.rawValue)
        if case .string(let text) = Self.scalarKind(node), let value = Choice(rawValue: text) { return value }
        var hint: String?
        if case .string(let text) = Self.scalarKind(node) {
            hint = (hints[text] ?? Self.closest(text.lowercased(), choices)).map { "did you mean `\($0)`?" }
        }
        error(node, "\(key): expected one of \(choices.joined(separator: ", ")), found \(Self.describeValue(node))", hint: hint)
        return nil
    }

    /// `type/subtype`, parameters allowed: the only `Content-Type` the function gets.
    mutating func mediaType(_ node: Node) -> String? {
        guard let text = nonEmptyString(node, "content_type") else { return nil }
        let essence = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingCharacters(in: .whitespaces)
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ HTTPSyntax.isToken($0) }), !Self.hasLineBreak(text) else {
            error(node, "content_type: \(NormalizationError.quote(text)) is not a media type like application/json")
            return nil
        }
        return text
    }

    /// Extra request headers: a mapping of names to string values.
    mutating func headerFields(_ node: Node) -> [HeaderField]? {
        guard case .mapping(let mapping) = node else {
            error(node, "headers: expected a mapping of header names to values, found \(Self.describe(node))")
            return nil
        }
        var fields: [HeaderField] = []
        for (key, value) in mapping {
            guard let name = keyText(key) else { continue }
            if !HTTPSyntax.isToken(name) {
                error(key, "headers: \(NormalizationError.quote(name)) is not a header name (letters, digits and !#$%&'*+-.^_`|~)")
            } else if let reason = Self.reservedHeaders[name.lowercased()] {
                error(key, "headers: \(name) is set by the gateway", hint: reason)
            } else if fields.contains(where: { $0.name.lowercased() == name.lowercased() }) {
                error(key, "headers: \(name) is written twice (header names ignore case)")
            } else if let text = string(value, name) {
                guard !Self.hasLineBreak(text) else {
                    error(value, "\(name): a header value may not hold line breaks")
                    continue
                }
                fields.append(HeaderField(name, text))
            }
        }
        return fields
    }

    static func hasLineBreak(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
    }

    /// A whole number and a unit: `500ms`, `10s`, `2m`; more than zero.
    mutating func duration(_ node: Node, _ key: String) -> Duration? {
        guard case .string(let text) = Self.scalarKind(node) else {
            var hint: String?
            if case .number(let text) = Self.scalarKind(node) { hint = "add a unit: \(key): \(text)s" }
            error(node, "\(key): expected a duration like 500ms, 10s or 2m, found \(Self.describe(node))", hint: hint)
            return nil
        }
        let digits = text.prefix { $0.isASCIIDigit }
        let unit = text.dropFirst(digits.count)
        // Nine digits keep minutes far from overflowing.
        guard !digits.isEmpty, digits.count <= 9, let number = Int(digits), ["ms", "s", "m"].contains(unit) else {
            error(node, "\(key): \(NormalizationError.quote(text)) is not a duration; write a whole number and a unit: ms, s or m (500ms, 10s, 2m)")
            return nil
        }
        guard number > 0 else {
            error(node, "\(key): must be more than 0")
            return nil
        }
        switch unit {
        case "ms": return .milliseconds(number)
        case "s": return .seconds(number)
        default: return .seconds(number * 60)
        }
    }

    /// A whole number >= 1.
    mutating func positiveInteger(_ node: Node, _ key: String) -> Int? {
        guard case .number(let text) = Self.scalarKind(node), let number = Int(text) else {
            var hint: String?
            if case .string(let text) = Self.scalarKind(node), Int(text) != nil { hint = "remove the quotes: \(key): \(text)" }
            error(node, "\(key): expected a whole number >= 1, found \(Self.describe(node))", hint: hint)
            return nil
        }
        guard number >= 1 else {
            error(node, "\(key): must be at least 1")
            return nil
        }
        return number
    }
}
