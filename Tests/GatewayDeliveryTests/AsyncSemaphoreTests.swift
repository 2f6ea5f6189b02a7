import Testing

@testable import GatewayDelivery

/// The semaphore behind per-function concurrency limits: first come, first served, and cancellable waits.
struct AsyncSemaphoreTests {
    @Test func waitersAreServedInTheOrderTheyCame() async throws {
        let semaphore = AsyncSemaphore(permits: 1)
        try await semaphore.acquire()
        let served = Served()
        var waiters: [Task<Void, any Error>] = []
        for index in 0..<5 {
            waiters.append(Task {
                try await semaphore.acquire()
                await served.append(index)
                semaphore.release()
            })
            try await Self.waitUntil { semaphore.waiting == index + 1 }
        }
        semaphore.release()
        for waiter in waiters { try await waiter.value }
        #expect(await served.order == [0, 1, 2, 3, 4])
        #expect(semaphore.waiting == 0)
        #expect(semaphore.tryAcquire())
        #expect(!semaphore.tryAcquire())
    }

    @Test func severalPermitsGoBackAndAreTakenAtOnceAndNoneForACountBelowOne() async throws {
        let semaphore = AsyncSemaphore(permits: 3)
        for _ in 0..<3 { #expect(semaphore.tryAcquire()) }
        semaphore.release(0)
        semaphore.release(-2)
        #expect(!semaphore.tryAcquire())
        semaphore.release(2)
        #expect(semaphore.tryAcquire())
        #expect(semaphore.tryAcquire())
        #expect(!semaphore.tryAcquire())
        // Several taken at once: as many as are free, none for a count below one.
        semaphore.release(3)
        #expect(semaphore.tryAcquire(upTo: 0) == 0)
        #expect(semaphore.tryAcquire(upTo: -1) == 0)
        #expect(semaphore.tryAcquire(upTo: 2) == 2)
        #expect(semaphore.tryAcquire(upTo: 5) == 1)
        #expect(semaphore.tryAcquire(upTo: 5) == 0)
    }

    @Test func aCancelledWaiterLeavesTheLineAndTheNextOneIsServed() async throws {
        let semaphore = AsyncSemaphore(permits: 1)
        try await semaphore.acquire()
        let cancelled = Task { try await semaphore.acquire() }
        try await Self.waitUntil { semaphore.waiting == 1 }
        let next = Task { try await semaphore.acquire() }
        try await Self.waitUntil { semaphore.waiting == 2 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(semaphore.waiting == 1)
        semaphore.release()
        try await next.value
        #expect(semaphore.waiting == 0)
        #expect(!semaphore.tryAcquire(), "the permit went to the waiter, not back to the pool")
    }

    @Test func aTaskCancelledBeforeItWaitsGetsNoPermit() async throws {
        let semaphore = AsyncSemaphore(permits: 0)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await semaphore.acquire()
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(semaphore.waiting == 0)
        semaphore.release()
        #expect(semaphore.tryAcquire())
    }

    private actor Served {
        var order: [Int] = []
        func append(_ index: Int) { order.append(index) }
    }

    private static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
