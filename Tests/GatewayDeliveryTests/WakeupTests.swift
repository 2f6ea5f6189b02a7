import Testing

@testable import GatewayDelivery

/// Waits for work: ended by a signal, by the time limit, or by cancellation, and never missing a signal
/// that came while the waiter looked for work.
struct WakeupTests {
    /// What ends a wait before its time limit.
    enum Ending: CaseIterable, Sendable {
        case signal, cancellation
    }

    @Test(arguments: Ending.allCases)
    func aSignalOrCancellationEndsAWaitLongBeforeItsTimeLimit(_ ending: Ending) async throws {
        let wakeup = Wakeup()
        let start = ContinuousClock.now
        let waiter = Task { await wakeup.wait(upTo: .seconds(30), since: wakeup.generation) }
        try await Task.sleep(for: .milliseconds(50))
        switch ending {
        case .signal: wakeup.signal()
        case .cancellation: waiter.cancel()
        }
        await waiter.value
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func theTimeLimitEndsAWaitNoSignalEnds() async {
        let wakeup = Wakeup()
        let start = ContinuousClock.now
        await wakeup.wait(upTo: .milliseconds(100), since: wakeup.generation)
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(100) && waited < .seconds(10), "waited \(waited)")
    }

    @Test func aSignalSinceTheGenerationEndsTheWaitAtOnce() async {
        let wakeup = Wakeup()
        let generation = wakeup.generation
        wakeup.signal()
        let start = ContinuousClock.now
        await wakeup.wait(upTo: .seconds(30), since: generation)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    /// The time limit of a wait a signal ended fires later and leaves the next wait alone.
    @Test func anEarlierWaitsTimeLimitDoesNotEndALaterWait() async throws {
        let wakeup = Wakeup()
        let first = Task { await wakeup.wait(upTo: .milliseconds(100), since: wakeup.generation) }
        try await Task.sleep(for: .milliseconds(20))
        wakeup.signal()
        await first.value
        let start = ContinuousClock.now
        await wakeup.wait(upTo: .milliseconds(300), since: wakeup.generation)
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(300), "waited \(waited)")
    }

    /// Waiters that wait again as soon as they wake, racing a burst of signals: no continuation is lost
    /// or resumed twice (either would hang or crash), and none is left waiting.
    @Test func waitersAndABurstOfSignalsRaceSafely() async throws {
        let wakeup = Wakeup()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<100 {
                        let generation = wakeup.generation
                        await wakeup.wait(upTo: .seconds(30), since: generation)
                    }
                }
            }
            group.addTask {
                for _ in 0..<100_000 {
                    wakeup.signal()
                    await Task.yield()
                }
            }
            try await group.waitForAll()
        }
        #expect(ContinuousClock.now - start < .seconds(20))
    }
}
