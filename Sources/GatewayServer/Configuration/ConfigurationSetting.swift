import Foundation
import GatewayCore
import GatewayDelivery

/// One configurable value: its YAML key (`section.key`, where a section may be nested:
/// `delivery.store.kind`), its environment variable, and how its text is read into a
/// ``GatewayConfiguration``. The file and the environment share these readers, so a value
/// means the same wherever it is written.
struct ConfigurationSetting: Sendable {
    let section: String
    let key: String
    let environment: String
    /// What the value must look like, for messages.
    let expected: String
    let apply: @Sendable (inout GatewayConfiguration, String) -> Bool

    var path: String { "\(section).\(key)" }

    /// Every setting, in the order the documentation lists them.
    static let all: [ConfigurationSetting] = [
        text("server", "host", "EVENT_GATEWAY_HOST") { $0.host = $1 },
        integer("server", "port", "EVENT_GATEWAY_PORT", 0...65_535) { $0.port = $1 },
        size("server", "max_body", "EVENT_GATEWAY_MAX_BODY") { $0.maxBodyBytes = $1 },
        text("routes", "directory", "EVENT_GATEWAY_ROUTES") { $0.routesDirectory = $1 },
        duration("routes", "reload_interval", "EVENT_GATEWAY_RELOAD_INTERVAL") { $0.reloadInterval = $1 },
        choice("delivery", "topic_matching", "EVENT_GATEWAY_TOPIC_MATCHING", TopicMatching.self) { $0.topicMatching = $1 },
        flag("delivery", "send_topic", "EVENT_GATEWAY_SEND_TOPIC") { $0.sendTopic = $1 },
        url("delivery", "callback_url", "EVENT_GATEWAY_CALLBACK_URL") { $0.callbackURL = $1 },
        url("delivery", "result_webhook", "EVENT_GATEWAY_RESULT_WEBHOOK") { $0.resultWebhook = $1 },
        size("delivery", "max_response", "EVENT_GATEWAY_MAX_RESPONSE") { $0.maxResponseBytes = $1 },
        integer("delivery", "workers", "EVENT_GATEWAY_WORKERS", 1...10_000) { $0.workers = $1 },
        choice("delivery.store", "kind", "EVENT_GATEWAY_STORE", StoreSettings.Kind.self) { $0.store.kind = $1 },
        text("delivery.store", "directory", "EVENT_GATEWAY_DATA_DIRECTORY") { $0.store.directory = $1 },
        postgresURL("delivery.store.postgres", "url", "EVENT_GATEWAY_POSTGRES_URL") { $0.store.postgres = $1 },
        text("delivery.store.postgres", "host", "EVENT_GATEWAY_POSTGRES_HOST") { $0.store.postgresSettings.host = $1 },
        integer("delivery.store.postgres", "port", "EVENT_GATEWAY_POSTGRES_PORT", 1...65_535) { $0.store.postgresSettings.port = $1 },
        text("delivery.store.postgres", "user", "EVENT_GATEWAY_POSTGRES_USER") { $0.store.postgresSettings.username = $1 },
        text("delivery.store.postgres", "password", "EVENT_GATEWAY_POSTGRES_PASSWORD") { $0.store.postgresSettings.password = $1 },
        passwordFile("delivery.store.postgres", "password_file", "EVENT_GATEWAY_POSTGRES_PASSWORD_FILE") { $0.store.postgresSettings.password = $1 },
        text("delivery.store.postgres", "database", "EVENT_GATEWAY_POSTGRES_DATABASE") { $0.store.postgresSettings.database = $1 },
        duration("delivery.store", "dedup_window", "EVENT_GATEWAY_DEDUP_WINDOW") { $0.store.dedupWindow = $1 },
        integer("delivery.store", "max_depth", "EVENT_GATEWAY_MAX_DEPTH", 1...100_000_000) { $0.store.maxDepth = $1 },
        integer("delivery.store", "max_depth_per_function", "EVENT_GATEWAY_MAX_DEPTH_PER_FUNCTION", 1...100_000_000) { $0.store.maxDepthPerFunction = $1 },
        integer("delivery.store", "max_in_flight_per_function", "EVENT_GATEWAY_MAX_IN_FLIGHT_PER_FUNCTION", 1...10_000) {
            $0.store.maxInFlightPerFunction = $1
        },
        duration("delivery.store", "lease", "EVENT_GATEWAY_LEASE") { $0.store.lease = $1 },
        duration("delivery.store", "lease_margin", "EVENT_GATEWAY_LEASE_MARGIN") { $0.store.leaseMargin = $1 },
        integer("delivery.store", "max_replays", "EVENT_GATEWAY_MAX_REPLAYS", 0...1_000) { $0.store.maxReplays = $1 },
        duration("delivery.store", "poll_interval", "EVENT_GATEWAY_POLL_INTERVAL") { $0.store.pollInterval = $1 },
        duration("delivery.store", "full_retry_after", "EVENT_GATEWAY_FULL_RETRY_AFTER") { $0.store.queueFullRetryAfter = $1 },
        integer("delivery.store", "max_marks", "EVENT_GATEWAY_MAX_MARKS", 1...1_000_000_000) { $0.store.maxMarks = $1 },
        integer("delivery.retry", "max_attempts", "EVENT_GATEWAY_RETRY_MAX_ATTEMPTS", 1...1_000) { $0.retry.maxAttempts = $1 },
        duration("delivery.retry", "max_age", "EVENT_GATEWAY_RETRY_MAX_AGE") { $0.retry.maxAge = $1 },
        duration("delivery.retry", "backoff", "EVENT_GATEWAY_RETRY_BACKOFF") { $0.retry.backoff = $1 },
        duration("delivery.retry", "max_backoff", "EVENT_GATEWAY_RETRY_MAX_BACKOFF") { $0.retry.maxBackoff = $1 },
        duration("delivery.retry", "max_retry_after", "EVENT_GATEWAY_RETRY_MAX_RETRY_AFTER") { $0.retry.maxRetryAfter = $1 },
        url("openfaas", "gateway", "EVENT_GATEWAY_OPENFAAS_GATEWAY") { $0.openfaasSettings.gateway = $1 },
        text("openfaas", "username", "EVENT_GATEWAY_OPENFAAS_USERNAME") { $0.openfaasSettings.username = $1 },
        text("openfaas", "password", "EVENT_GATEWAY_OPENFAAS_PASSWORD") { $0.openfaasSettings.password = $1 },
        passwordFile("openfaas", "password_file", "EVENT_GATEWAY_OPENFAAS_PASSWORD_FILE") { $0.openfaasSettings.password = $1 },
        duration("openfaas", "interval", "EVENT_GATEWAY_OPENFAAS_INTERVAL") { $0.openfaasSettings.interval = $1 },
        text("openfaas", "namespace", "EVENT_GATEWAY_OPENFAAS_NAMESPACE") { $0.openfaasSettings.namespace = $1 },
        anyText("openfaas", "topic_delimiter", "EVENT_GATEWAY_OPENFAAS_TOPIC_DELIMITER") { $0.openfaasSettings.topicDelimiter = $1 },
        choice("openfaas", "mode", "EVENT_GATEWAY_OPENFAAS_MODE", InvocationMode.self) { $0.openfaasSettings.mode = $1 },
        choice("openfaas", "body", "EVENT_GATEWAY_OPENFAAS_BODY", BodyFormat.self) { $0.openfaasSettings.body = $1 },
    ]

    static let sections = ["server", "routes", "delivery", "openfaas"]

    /// The names directly under the section `path`, settings and nested sections, in the order listed.
    static func children(of path: String) -> [String] {
        var names: [String] = []
        for setting in all where setting.path.hasPrefix(path + ".") {
            let name = String(setting.path.dropFirst(path.count + 1).prefix { $0 != "." })
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    // MARK: Readers

    static func text(_ section: String, _ key: String, _ environment: String, _ set: @escaping @Sendable (inout GatewayConfiguration, String) -> Void) -> Self {
        Self(section: section, key: key, environment: environment, expected: "a non-empty string") { configuration, text in
            guard !text.isEmpty else { return false }
            set(&configuration, text)
            return true
        }
    }

    static func anyText(_ section: String, _ key: String, _ environment: String, _ set: @escaping @Sendable (inout GatewayConfiguration, String) -> Void) -> Self {
        Self(section: section, key: key, environment: environment, expected: "a string") { configuration, text in
            set(&configuration, text)
            return true
        }
    }

    static func integer(
        _ section: String, _ key: String, _ environment: String, _ range: ClosedRange<Int>, _ set: @escaping @Sendable (inout GatewayConfiguration, Int) -> Void
    ) -> Self {
        Self(section: section, key: key, environment: environment, expected: "an integer from \(range.lowerBound) to \(range.upperBound)") { configuration, text in
            guard let value = Int(text), range.contains(value) else { return false }
            set(&configuration, value)
            return true
        }
    }

    static func flag(_ section: String, _ key: String, _ environment: String, _ set: @escaping @Sendable (inout GatewayConfiguration, Bool) -> Void) -> Self {
        Self(section: section, key: key, environment: environment, expected: "true or false") { configuration, text in
            guard let value = ["true": true, "false": false][text] else { return false }
            set(&configuration, value)
            return true
        }
    }

    static func size(_ section: String, _ key: String, _ environment: String, _ set: @escaping @Sendable (inout GatewayConfiguration, Int) -> Void) -> Self {
        Self(section: section, key: key, environment: environment, expected: "a size in bytes like 6291456, 512KiB or 6MiB") { configuration, text in
            guard let bytes = ByteSize.parse(text), bytes > 0 else { return false }
            set(&configuration, bytes)
            return true
        }
    }

    static func duration(_ section: String, _ key: String, _ environment: String, _ set: @escaping @Sendable (inout GatewayConfiguration, Duration) -> Void) -> Self {
        Self(section: section, key: key, environment: environment, expected: "a duration like 500ms, 30s or 2m") { configuration, text in
            guard let duration = DurationText.parse(text), duration > .zero else { return false }
            set(&configuration, duration)
            return true
        }
    }

    static func url(_ section: String, _ key: String, _ environment: String, _ set: @escaping @Sendable (inout GatewayConfiguration, String) -> Void) -> Self {
        Self(section: section, key: key, environment: environment, expected: "an http or https URL with a host") { configuration, text in
            guard HTTPURL.isValid(text) else { return false }
            set(&configuration, text)
            return true
        }
    }

    static func choice<Choice: RawRepresentable & CaseIterable & SendableMetatype>(
        _ section: String, _ key: String, _ environment: String, _ type: Choice.Type, _ set: @escaping @Sendable (inout GatewayConfiguration, Choice) -> Void
    ) -> Self where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        return Self(section: section, key: key, environment: environment, expected: "one of " + names.joined(separator: ", ")) { configuration, text in
            guard let value = Choice(rawValue: text) else { return false }
            set(&configuration, value)
            return true
        }
    }

    static func postgresURL(
        _ section: String, _ key: String, _ environment: String, _ set: @escaping @Sendable (inout GatewayConfiguration, PostgresSettings) -> Void
    ) -> Self {
        Self(section: section, key: key, environment: environment, expected: "a URL like postgres://user[:password]@host[:port][/database]") {
            configuration, text in
            guard let settings = try? PostgresSettings(url: text) else { return false }
            set(&configuration, settings)
            return true
        }
    }

    static func passwordFile(_ section: String, _ key: String, _ environment: String, _ set: @escaping @Sendable (inout GatewayConfiguration, String) -> Void) -> Self {
        Self(section: section, key: key, environment: environment, expected: "a readable file holding the password") { configuration, path in
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
            set(&configuration, contents.trimmingCharacters(in: .whitespacesAndNewlines))
            return true
        }
    }
}

extension StoreSettings {
    /// The PostgreSQL settings, created on first write so that host, user and the rest may come one by one.
    var postgresSettings: PostgresSettings {
        get { postgres ?? PostgresSettings(host: "", username: "") }
        set { postgres = newValue }
    }
}

extension GatewayConfiguration {
    /// The OpenFaaS settings, created on first write so that any `openfaas.*` value turns discovery on.
    var openfaasSettings: OpenFaaSSettings {
        get { openfaas ?? OpenFaaSSettings(gateway: "") }
        set { openfaas = newValue }
    }
}
