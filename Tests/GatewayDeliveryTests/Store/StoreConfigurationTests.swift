import GatewayDelivery
import Testing

/// Reading PostgreSQL addresses, as the gateway's configuration will.
struct StoreConfigurationTests {
    @Test func postgresURLs() throws {
        #expect(
            try PostgresSettings(url: "postgres://gateway:secret@db.internal:6432/events")
                == PostgresSettings(host: "db.internal", port: 6432, username: "gateway", password: "secret", database: "events"))
        #expect(try PostgresSettings(url: "postgresql://postgres@127.0.0.1") == PostgresSettings(host: "127.0.0.1", username: "postgres"))
    }

    @Test(arguments: [
        ("mysql://u@h/db", #"invalid_configuration: "mysql://u@h/db" is not a PostgreSQL URL like postgres://user@host:5432/database"#),
        ("postgres:///db", #"invalid_configuration: "postgres:///db" has no host"#),
        ("postgres://h:5432/db", #"invalid_configuration: "postgres://h:5432/db" has no user name"#),
    ])
    func badPostgresURLs(_ url: String, _ message: String) {
        #expect { try PostgresSettings(url: url) } throws: { ($0 as? StoreError)?.description == message }
    }
}
