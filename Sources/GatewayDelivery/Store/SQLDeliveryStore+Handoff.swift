import Foundation
import GatewayCore
import Synchronization

/// Handing enqueued invocations straight to a worker.
///
/// A worker is in ``next()`` when it has a free slot. While its last claim found nothing due, an
/// invocation enqueued is the oldest its function has (but for one that a claim running at that moment
/// takes). It is stored already leased to this process (durable as before: a crash leaves it to expire
/// and be taken over) and handed over from memory: no claim statement, no reading it back and decoding
/// it, no wait for the worker to wake and look.
extension SQLDeliveryStore {
    /// Invocations leased at enqueue and not yet taken, at most this many.
    static let handoffLimit = 16

    /// An invocation leased at enqueue, waiting for ``next()``.
    struct Handoff: Sendable {
        var item: QueuedInvocation
        var lease: Lease
        /// When its lease ends (milliseconds since 1970).
        var leaseEnd: Int64
    }

    /// Reserves in-flight slots for those of `invocations` (positions) that go straight to a worker:
    /// none when no worker looks for work or the last claim found something due (new invocations do not
    /// overtake a backlog), at most ``handoffLimit`` waiting in all, and each function within its
    /// in-flight limit.
    func reserveHandoffs(_ invocations: [Invocation]) -> Set<Int> {
        state.withLock { state in
            guard state.takesHandoffs else { return [] }
            var room = Self.handoffLimit - state.handedOff.count
            var reserved: Set<Int> = []
            for (position, invocation) in invocations.enumerated() where room > 0 {
                let function = invocation.function.address
                let limit = inFlightLimit(for: invocation.function)
                state.inFlightLimits[function] = limit
                guard state.inFlight[function, default: 0] < limit else { continue }
                state.inFlight[function, default: 0] += 1
                reserved.insert(position)
                room -= 1
            }
            return reserved
        }
    }

    /// Gives back the slots of reserved invocations that were not stored leased (duplicates, a full
    /// queue, a failed commit).
    func releaseHandoffs(_ invocations: [Invocation]) {
        guard !invocations.isEmpty else { return }
        state.withLock { state in
            for invocation in invocations { state.inFlight[invocation.function.address, default: 1] -= 1 }
        }
    }

    /// Records the leases of invocations stored leased and queues them for ``next()``.
    func handOff(_ handoffs: [Handoff]) {
        guard !handoffs.isEmpty else { return }
        state.withLock { state in
            for handoff in handoffs { state.leases[handoff.item.receipt] = handoff.item.invocation.function.address }
            state.handedOff += handoffs
            state.handedOver += handoffs.count
        }
        wakeup.signal()
    }

    /// The oldest invocations handed over at enqueue, at most `limit`, each lease made long enough for
    /// its call first when it waited.
    func takeHandoffs(upTo limit: Int) async throws -> [QueuedInvocation] {
        var items: [QueuedInvocation] = []
        while items.count < limit, let handoff = state.withLock({ $0.handedOff.isEmpty ? nil : $0.handedOff.removeFirst() }) {
            let now = Self.millis(configuration.clock.now())
            // One that waited so long that its call might outlast the lease is extended first, or
            // dropped when the lease is gone (taken over elsewhere).
            do {
                if try await coverCall(of: handoff.item.invocation.function, lease: handoff.lease, endingAt: handoff.leaseEnd, now: now) {
                    items.append(handoff.item)
                } else {
                    _ = try? settling(handoff.item)
                }
            } catch {
                // Those taken already are leased to the caller: hand them out, and this one next time.
                guard !items.isEmpty else { throw error }
                state.withLock { $0.handedOff.insert(handoff, at: 0) }
                break
            }
        }
        return items
    }
}
