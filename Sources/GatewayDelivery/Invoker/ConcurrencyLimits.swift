import GatewayCore
import Synchronization

/// One ``AsyncSemaphore`` per function address, sized by the function's `concurrency` (at least 1).
///
/// When a reload changes a function's limit, new calls get a new semaphore of the new size; calls
/// already holding or awaiting the old one finish on it.
final class ConcurrencyLimits: Sendable {
    private let semaphores = Mutex<[String: AsyncSemaphore]>([:])

    func semaphore(for function: FunctionSpec) -> AsyncSemaphore {
        semaphores.withLock { semaphores in
            let limit = max(1, function.concurrency)
            if let existing = semaphores[function.address], existing.permits == limit { return existing }
            let semaphore = AsyncSemaphore(permits: limit)
            semaphores[function.address] = semaphore
            return semaphore
        }
    }
}
