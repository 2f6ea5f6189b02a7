/// Runs `body`, then `cleanup`, also when `body` throws. The cleanup is awaited either way: one left to a
/// task of its own may never run before the test process exits.
public func withCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async throws -> T {
    do {
        let value = try await body()
        await cleanup()
        return value
    } catch {
        await cleanup()
        throw error
    }
}
