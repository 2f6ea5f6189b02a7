import Foundation
import GatewayCore
import GatewayDelivery
import Testing

extension StoreSuite {
    /// Leases: a crashed process's invocations come back when their lease ends, a live process's lease is
    /// respected by others until then, and a graceful shutdown hands its leases back at once.
    struct StoreLeaseTests {
        typealias T = StoreTesting

        /// How the crashed process's worker got its invocation.
        enum Taking: String, CaseIterable, Sendable {
            /// Claimed from the queue.
            case claimed
            /// Handed over by the enqueue, stored already leased, while the worker waited.
            case handedOver
        }

        @Test(arguments: StoreKind.allCases, Taking.allCases)
        func aCrashedProcesssLeaseExpiresAndIsTakenOver(_ kind: StoreKind, _ taking: Taking) async throws {
            let clock = ManualClock()
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend, clock: clock.store) { $0.lease = .seconds(60) }
                let invocation = try T.invocation(1)
                let lost = try await T.withStore(configuration, crash: true) { store in
                    let worker = taking == .handedOver ? try await T.waitingWorker(store) : nil
                    try await store.enqueue([invocation])
                    #expect(store.handedOver == (taking == .handedOver ? 1 : 0))
                    let item = if let worker { try await worker.value } else { try await store.next() }
                    return try #require(item)
                }
                try await T.withStore(configuration) { store in
                    let taken = try await T.takeOver(lost, in: store, clock: clock)
                    #expect(taken.invocation == invocation)
                    // The crashed process's receipt settles nothing.
                    try await store.ack(lost)
                    #expect(try await store.status().total.depth == 1)
                    try await store.ack(taken)
                    #expect(try await store.status().total.depth == 0)
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func twoProcessesOnOneDatabaseNeverHoldTheSameLease(_ kind: StoreKind) async throws {
            let clock = ManualClock()
            try await T.withDatabase(kind) { backend in
                let first = T.configuration(backend, clock: clock.store) {
                    $0.lease = .seconds(60)
                    $0.owner = "first"
                }
                var second = first
                second.owner = "second"
                try await T.withStore(first) { one in
                    try await T.withStore(second) { two in
                        try await one.enqueue([try T.invocation(1), try T.invocation(2)])
                        let a = try #require(try await one.next())
                        let b = try #require(try await two.next())
                        #expect(Set([a.invocation.id, b.invocation.id]).count == 2)
                        #expect(try await T.next(two, within: .milliseconds(200)) == nil)
                        // The first process stalls past its lease: the second takes its invocation over.
                        clock.advance(.seconds(61))
                        let taken = try #require(try await T.next(two, within: .seconds(5)))
                        #expect(taken.invocation.id == a.invocation.id)
                        #expect(taken.attempt == 2)
                        // The stalled process's late ack does not touch the new lease.
                        try await one.ack(a)
                        #expect(try await two.status().total.depth == 2)
                        try await two.ack(taken)
                        try await two.ack(b)
                        #expect(try await one.status().total.depth == 0)
                    }
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func aCallLongerThanTheLeaseGetsALongerOne(_ kind: StoreKind) async throws {
            let clock = ManualClock()
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend, clock: clock.store) {
                    $0.lease = .seconds(60)
                    $0.leaseMargin = .seconds(10)
                }
                var slow = try T.invocation(1)
                slow.function.timeout = .seconds(120)
                try await T.withStore(configuration, crash: true) { store in
                    try await store.enqueue([slow])
                    #expect(try await store.next() != nil)
                }
                try await T.withStore(configuration) { store in
                    // The timeout plus the 10 s margin: still leased long after the configured lease.
                    clock.advance(.seconds(129))
                    #expect(try await T.next(store, within: .milliseconds(200)) == nil)
                    clock.advance(.seconds(2))
                    let taken = try #require(try await T.next(store, within: .seconds(5)))
                    #expect(taken.attempt == 2)
                    try await store.ack(taken)
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func aGracefulShutdownReleasesItsLeases(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend) { $0.lease = .seconds(300) }
                try await T.withStore(configuration) { store in
                    try await store.enqueue([try T.invocation(1)])
                    #expect(try await store.next() != nil)
                }
                try await T.withStore(configuration) { store in
                    // Due at once, not in five minutes.
                    let again = try #require(try await T.next(store, within: .seconds(5)))
                    #expect(again.attempt == 2)
                    try await store.ack(again)
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func aClosedStoreHandsOutNothingAndRefusesEnqueues(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let store = try await T.withStore(T.configuration(backend)) { $0 }
                #expect(try await store.next() == nil)
                await #expect(throws: StoreError(.closed, "the delivery store is shut down")) { try await store.enqueue([try T.invocation(1)]) }
            }
        }
    }
}
