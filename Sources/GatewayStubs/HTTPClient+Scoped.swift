public import AsyncHTTPClient

extension HTTPClient {
    /// Runs `body` with a client of its own on the shared event loops, shut down afterwards whatever happens.
    public static func withClient<T>(_ configuration: Configuration, _ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let value = try await body(client)
            try await client.shutdown()
            return value
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
