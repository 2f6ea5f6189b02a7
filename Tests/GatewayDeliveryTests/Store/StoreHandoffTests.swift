import Foundation
import GatewayCore
import GatewayDelivery
import Testing

extension StoreSuite {
    /// An invocation enqueued while a worker waits goes to it straight, stored leased: no claim, the
    /// same guarantees (a crashed process's hand-over is taken over as a claim is: StoreLeaseTests).
    struct StoreHandoffTests {
        typealias T = StoreTesting

        @Test(arguments: StoreKind.allCases)
        func aWaitingWorkerGetsTheInvocationStoredLeased(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend) { $0.pollInterval = .seconds(30) }) { store in
                    try await store.enqueue([try T.invocation(1)])
                    // Nobody waited: stored for a claim.
                    #expect(store.handedOver == 0)
                    let claimed = try #require(try await store.next())
                    try await store.ack(claimed)

                    let worker = try await T.waitingWorker(store)
                    try await store.enqueue([try T.invocation(2)])
                    let item = try #require(try await worker.value)
                    #expect(store.handedOver == 1)
                    #expect(item.invocation == (try T.invocation(2)))
                    #expect(item.attempt == 1)
                    #expect(try await store.status().total.inFlight == 1)
                    try await store.ack(item)
                    #expect(try await store.status().total.depth == 0)
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func handOversKeepTheFunctionsInFlightLimit(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend) { $0.maxInFlightPerFunction = 1 }) { store in
                    let worker = try await T.waitingWorker(store)
                    try await store.enqueue([try T.invocation(1), try T.invocation(2)])
                    let first = try #require(try await worker.value)
                    #expect(first.invocation.id == (try T.invocation(1)).id)
                    #expect(store.handedOver == 1)
                    #expect(try await T.next(store, within: .milliseconds(300)) == nil)
                    try await store.ack(first)
                    #expect(try await T.next(store, within: .seconds(5))?.invocation.id == (try T.invocation(2)).id)
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func oneThatWaitsLongGetsALongerLeaseOrIsDroppedOnceTakenOver(_ kind: StoreKind) async throws {
            let clock = ManualClock()
            try await T.withDatabase(kind) { backend in
                // Leases of 60 s; a call needs its timeout (5 s) and the margin (30 s) left when it starts.
                let configuration = T.configuration(backend, clock: clock.store) { $0.lease = .seconds(60) }
                try await T.withStore(configuration) { one in
                    try await T.withStore(configuration) { two in
                        let worker = try await T.waitingWorker(one)
                        try await one.enqueue([try T.invocation(1), try T.invocation(2), try T.invocation(3)])
                        #expect(one.handedOver == 3)
                        try await one.ack(try #require(try await worker.value))
                        clock.advance(.seconds(30))
                        // 30 s of its lease left, less than the call needs: extended to 60 s from now.
                        let second = try #require(try await T.next(one, within: .seconds(5)))
                        #expect(second.invocation.id == (try T.invocation(2)).id)
                        clock.advance(.seconds(31))
                        // The third's lease is over: another process takes it, not the second.
                        let taken = try #require(try await T.next(two, within: .seconds(5)))
                        #expect(taken.invocation.id == (try T.invocation(3)).id)
                        #expect(taken.attempt == 2)
                        #expect(try await T.next(two, within: .milliseconds(300)) == nil)
                        // The first process drops its copy of the third.
                        #expect(try await T.next(one, within: .milliseconds(300)) == nil)
                        try await one.ack(second)
                        try await two.ack(taken)
                        #expect(try await one.status().total.depth == 0)
                    }
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func aGracefulShutdownReleasesHandedOverInvocationsNotYetTaken(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let invocations = try (1...3).map { try T.invocation($0) }
                try await T.withStore(T.configuration(backend)) { store in
                    let worker = try await T.waitingWorker(store)
                    try await store.enqueue(invocations)
                    #expect(store.handedOver == 3)
                    #expect(try await worker.value?.invocation.id == invocations[0].id)
                }
                // One taken, two waiting in memory: all three are due again at once.
                try await T.withStore(T.configuration(backend)) { store in
                    var ids: [String] = []
                    for _ in invocations { ids.append(try #require(try await T.next(store, within: .seconds(5))).invocation.id) }
                    #expect(ids.sorted() == invocations.map(\.id).sorted())
                }
            }
        }
    }
}
