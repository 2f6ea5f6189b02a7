import Testing

@testable import GatewayDelivery

/// The statements the stores share, as PostgreSQL takes them.
struct PostgresBackendTests {
    @Test func questionMarksBecomeNumberedParameters() {
        #expect(PostgresBackend.numbered("SELECT 1") == "SELECT 1")
        #expect(PostgresBackend.numbered("") == "")
        let many = (1...12).map { _ in "?" }.joined(separator: ", ")
        #expect(PostgresBackend.numbered("INSERT INTO t VALUES (\(many)) -- ünï") == "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) -- ünï")
        #expect(PostgresBackend.numbered("a = ? AND b = '€'") == "a = $1 AND b = '€'")
    }
}
