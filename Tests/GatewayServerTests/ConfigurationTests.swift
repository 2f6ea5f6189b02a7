import GatewayCore
import GatewayDelivery
import GatewayServer
import Testing

struct ConfigurationTests {
    @Test func defaultsNeedNoFile() {
        let configuration = GatewayConfiguration()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.maxBodyBytes == 6 * 1024 * 1024)
        #expect(configuration.routesDirectory == "routes")
        #expect(configuration.openfaas == nil)
        #expect(configuration.store == StoreSettings(kind: .sqlite, directory: "data"))
        #expect(configuration.store.sqlitePath == "data/deliveries.sqlite")
        #expect(configuration.retry == RetryPolicy(maxAttempts: 5, maxAge: .seconds(3600), backoff: .seconds(1), maxBackoff: .seconds(60), maxRetryAfter: .seconds(300)))
    }

    @Test func everySettingReadsFromTheFile() throws {
        let yaml = """
            server:
              host: 0.0.0.0
              port: 9090
              max_body: 512KiB
            routes:
              directory: /etc/gateway/routes
              reload_interval: 2s
            delivery:
              topic_matching: wildcard
              send_topic: false
              callback_url: http://127.0.0.1:9999/callback
              result_webhook: https://results.example/hook
              max_response: 1MB
              workers: 4
              store:
                kind: postgres
                directory: /var/lib/event-gateway
                postgres:
                  url: postgres://gateway:pw@db.internal:5433/events
                dedup_window: 15m
                max_depth: 5000
                max_depth_per_function: 500
                max_in_flight_per_function: 8
                lease: 2m
                lease_margin: 10s
                max_replays: 5
                poll_interval: 250ms
                full_retry_after: 3s
                max_marks: 2000000
              retry:
                max_attempts: 7
                max_age: 2h
                backoff: 500ms
                max_backoff: 30s
                max_retry_after: 1m
            openfaas:
              gateway: http://127.0.0.1:8081
              username: admin
              password: secret
              interval: 1m
              namespace: openfaas-fn
              topic_delimiter: "|"
              mode: sync
              body: cloudevent
            """
        let configuration = try GatewayConfiguration(yaml: yaml, file: "gateway.yaml")
        let expected = GatewayConfiguration(
            host: "0.0.0.0", port: 9090, maxBodyBytes: 512 * 1024, routesDirectory: "/etc/gateway/routes", reloadInterval: .seconds(2),
            topicMatching: .wildcard, sendTopic: false, callbackURL: "http://127.0.0.1:9999/callback", resultWebhook: "https://results.example/hook",
            maxResponseBytes: 1_000_000, workers: 4,
            store: StoreSettings(
                kind: .postgres, directory: "/var/lib/event-gateway",
                postgres: PostgresSettings(host: "db.internal", port: 5433, username: "gateway", password: "pw", database: "events"),
                queue: QueuePolicy(
                    dedupWindow: .seconds(900), maxDepth: 5000, maxDepthPerFunction: 500, maxInFlightPerFunction: 8, lease: .seconds(120),
                    leaseMargin: .seconds(10), maxReplays: 5, pollInterval: .milliseconds(250), queueFullRetryAfter: .seconds(3),
                    maxMarks: 2_000_000)),
            retry: RetryPolicy(maxAttempts: 7, maxAge: .seconds(7200), backoff: .milliseconds(500), maxBackoff: .seconds(30), maxRetryAfter: .seconds(60)),
            openfaas: OpenFaaSSettings(
                gateway: "http://127.0.0.1:8081", username: "admin", password: "secret", interval: .seconds(60), namespace: "openfaas-fn",
                topicDelimiter: "|", mode: .sync, body: .cloudevent))
        #expect(configuration == expected)
    }

    @Test func everyProblemIsReportedWithItsPlace() {
        let yaml = """
            server:
              port: 70000
              hots: 0.0.0.0
            delivery:
              topic_matching: glob
            logging: {}
            openfaas:
              interval: soon
            """
        #expect {
            try GatewayConfiguration(yaml: yaml, file: "gateway.yaml")
        } throws: { error in
            (error as? ConfigurationErrors)?.description == """
                gateway.yaml:2:9: server.port: expected an integer from 0 to 65535
                gateway.yaml:3:3: unknown setting server.hots; expected one of host, port, max_body
                gateway.yaml:5:19: delivery.topic_matching: expected one of exact, ignore-case, wildcard
                gateway.yaml:6:1: unknown section "logging"; expected one of server, routes, delivery, openfaas
                gateway.yaml:8:13: openfaas.interval: expected a duration like 500ms, 30s or 2m
                """
        }
    }

    @Test func nestedSettingsReportTheirPlace() {
        let yaml = """
            delivery:
              store:
                kind: mysql
                postgres:
                  url: mysql://x
                  hots: db
                lease: forever
              retry: 3
            """
        #expect {
            try GatewayConfiguration(yaml: yaml, file: "gateway.yaml")
        } throws: { error in
            (error as? ConfigurationErrors)?.description == """
                gateway.yaml:3:11: delivery.store.kind: expected one of sqlite, postgres, memory
                gateway.yaml:5:12: delivery.store.postgres.url: expected a URL like postgres://user[:password]@host[:port][/database]
                gateway.yaml:6:7: unknown setting delivery.store.postgres.hots; expected one of url, host, port, user, password, password_file, database
                gateway.yaml:7:12: delivery.store.lease: expected a duration like 500ms, 30s or 2m
                gateway.yaml:8:10: delivery.retry: expected a mapping of settings
                """
        }
    }

    @Test func postgresFromItsPartsAndTheEnvironment() throws {
        var configuration = try GatewayConfiguration(
            yaml: "delivery:\n  store:\n    kind: postgres\n    postgres:\n      host: db\n      user: gw\n", file: "gateway.yaml")
        try configuration.applyEnvironment(["EVENT_GATEWAY_POSTGRES_PASSWORD": "secret", "EVENT_GATEWAY_POSTGRES_DATABASE": "events"])
        #expect(configuration.store.postgres == PostgresSettings(host: "db", port: 5432, username: "gw", password: "secret", database: "events"))
        #expect(configuration.store.summary == "postgres db:5432/events")
    }

    @Test func aPostgresStoreNeedsAServer() throws {
        var configuration = try GatewayConfiguration(yaml: "delivery:\n  store:\n    kind: postgres\n", file: "gateway.yaml")
        #expect {
            try configuration.applyEnvironment([:])
        } throws: { error in
            (error as? ConfigurationErrors)?.description == """
                delivery.store: kind is postgres but no server is given: set delivery.store.postgres.url (EVENT_GATEWAY_POSTGRES_URL), or its host and user
                """
        }
        try configuration.applyEnvironment(["EVENT_GATEWAY_POSTGRES_URL": "postgresql://gw@127.0.0.1/db"])
        #expect(configuration.store.postgres == PostgresSettings(host: "127.0.0.1", username: "gw", database: "db"))
    }

    @Test func storeVariablesOverrideTheFile() throws {
        var configuration = try GatewayConfiguration(yaml: "delivery:\n  store:\n    directory: /srv/data\n", file: "gateway.yaml")
        try configuration.applyEnvironment([
            "EVENT_GATEWAY_DATA_DIRECTORY": "/tmp/gw", "EVENT_GATEWAY_STORE": "memory", "EVENT_GATEWAY_MAX_DEPTH": "9", "EVENT_GATEWAY_RETRY_MAX_ATTEMPTS": "2",
        ])
        #expect(configuration.store.kind == .memory)
        #expect(configuration.store.sqlitePath == "/tmp/gw/deliveries.sqlite")
        #expect(configuration.store.maxDepth == 9)
        #expect(configuration.retry.maxAttempts == 2)
    }

    @Test func openFaaSSettingsNeedAGateway() {
        #expect {
            try GatewayConfiguration(yaml: "openfaas:\n  namespace: fn\n", file: "gateway.yaml")
        } throws: { error in
            (error as? ConfigurationErrors)?.description
                == "gateway.yaml: openfaas settings are given but openfaas.gateway is not; set the gateway URL or remove them"
        }
    }

    @Test func environmentOverridesTheFile() throws {
        var configuration = try GatewayConfiguration(yaml: "server:\n  port: 9090\n", file: "gateway.yaml")
        try configuration.applyEnvironment(["EVENT_GATEWAY_PORT": "7070", "EVENT_GATEWAY_ROUTES": "/srv/routes", "EVENT_GATEWAY_MAX_BODY": "1KiB"])
        #expect(configuration.port == 7070)
        #expect(configuration.routesDirectory == "/srv/routes")
        #expect(configuration.maxBodyBytes == 1024)
    }

    @Test func badEnvironmentValuesNameTheVariable() {
        var configuration = GatewayConfiguration()
        #expect {
            try configuration.applyEnvironment(["EVENT_GATEWAY_WORKERS": "0", "EVENT_GATEWAY_CALLBACK_URL": "ftp://x"])
        } throws: { error in
            (error as? ConfigurationErrors)?.description == """
                environment EVENT_GATEWAY_CALLBACK_URL: expected an http or https URL with a host, found "ftp://x"
                environment EVENT_GATEWAY_WORKERS: expected an integer from 1 to 10000, found "0"
                """
        }
    }

    @Test func everySettingHasItsOwnVariable() {
        let variables = GatewayConfiguration.environmentVariables.map(\.variable)
        #expect(!variables.isEmpty)
        #expect(Set(variables).count == variables.count)
        #expect(variables.allSatisfy { $0.hasPrefix("EVENT_GATEWAY_") })
    }
}
