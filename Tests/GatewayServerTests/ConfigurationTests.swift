import GatewayCore
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
              queue_capacity: 50
              workers: 4
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
            maxResponseBytes: 1_000_000, queueCapacity: 50, workers: 4,
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
