import GatewayCore
import Synchronization

/// One ``AsyncSemaphore`` per function address, sized by the function's `concurrency`.
///
/// When a reload changes a function's limit, new calls get a new semaphore of the new size; calls
/// already holding or awaiting the old one finish on it.
final class ConcurrencyLimits: Sendable {
    private let semaphores = Mutex<[String: AsyncSemaphore]>([:])

    func semaphore(for function: FunctionSpec) -> AsyncSemaphore {
        semaphores.withLock { semaphores in
            if let existing = semaphores[function.address], existing.limit == max(1, function.concurrency) { return existing }
            let semaphore = AsyncSemaphore(limit: function.concurrency)
            semaphores[function.address] = semaphore
            return semaphore
        }
    }
}
