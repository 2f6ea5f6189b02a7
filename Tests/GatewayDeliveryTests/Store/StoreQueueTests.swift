import Foundation
import GatewayCore
import InMemoryLogging
import Logging
import Testing

@testable import GatewayDelivery

extension StoreSuite {
    /// The queue side of both durable stores: enqueue and claim, all-or-none, durability, group commit,
    /// deduplication, bounds, in-flight limits and status.
    struct StoreQueueTests {
        typealias T = StoreTesting

        /// What readiness probes read: the counts the depth bounds keep, current with this process's
        /// enqueues and settlements at once, and with another process's at the next count (a second on).
        @Test(arguments: StoreKind.allCases)
        func heldFollowsTheQueueAndAnotherProcesssChangesAtTheNextCount(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                var other = T.configuration(backend)
                other.owner = "other"
                try await T.withStore(T.configuration(backend)) { store in
                    #expect(try await store.held() == 0)
                    try await store.enqueue([try T.invocation(1), try T.invocation(2), try T.invocation(3)])
                    #expect(try await store.held() == 3)
                    try await store.ack(try #require(try await store.next()))
                    #expect(try await store.held() == 2)
                    try await T.withStore(other) { try await $0.enqueue([try T.invocation(4)]) }
                    let start = ContinuousClock.now
                    while try await store.held() == 2, ContinuousClock.now - start < .seconds(10) { try await Task.sleep(for: .milliseconds(50)) }
                    #expect(try await store.held() == 3)
                }
            }
        }

        /// The kept counts are counted again (here as often as a count can run, in a reading of its own)
        /// while enqueues and settlements go on, and stay right: at once on SQLite, where a count's view is
        /// fixed between statements and their changes; at the next count on PostgreSQL, whose commits run
        /// concurrently.
        @Test(arguments: StoreKind.allCases)
        func theKeptCountsStayRightWhileCountedAgainBesideChanges(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend)) { store in
                    try await store.ready()
                    let stop = ContinuousClock.now + .seconds(2)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for task in 0..<2 {
                            group.addTask {
                                var first = task * 1_000_000
                                while ContinuousClock.now < stop {
                                    do {
                                        try await store.enqueue((first..<first + 3).map { try T.invocation($0) })
                                        first += 3
                                    } catch is QueueFullError {
                                        // The bound of one function's queue: the settlements are slower.
                                        try await Task.sleep(for: .milliseconds(10))
                                    }
                                }
                            }
                        }
                        for _ in 0..<2 {
                            group.addTask {
                                while ContinuousClock.now < stop {
                                    for (position, item) in try await store.claim(2).enumerated() {
                                        if position == 0 { try await store.ack(item) } else {
                                            try await store.deadLetter(item, result: StorePlanTests.result(item, status: 400), reason: .terminalStatus)
                                        }
                                    }
                                }
                            }
                        }
                        group.addTask {
                            while ContinuousClock.now < stop { try await store.recountDepths() }
                        }
                        try await group.waitForAll()
                    }
                    let depth = try await store.status().total.depth
                    #expect(depth > 0)
                    if kind == .sqlite {
                        #expect(try await store.held() == depth)
                    } else {
                        let start = ContinuousClock.now
                        while try await store.held() != depth, ContinuousClock.now - start < .seconds(10) { try await Task.sleep(for: .milliseconds(50)) }
                        #expect(try await store.held() == depth)
                    }
                }
            }
        }

        /// A row that cannot be read is leased and left out of the claim, with an error that names the row
        /// and the JSON path of what broke; the rows around it are claimed as usual, and it stays stored.
        @Test(arguments: StoreKind.allCases)
        func anUnreadableRowIsLeftOutOfAClaimAndNamed(_ kind: StoreKind) async throws {
            let logs = InMemoryLogHandler()
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend), logger: Logger(label: "test", factory: { _ in logs })) { store in
                    let invocations = try (1...3).map { try T.invocation($0) }
                    try await store.enqueue(invocations)
                    let stored = String(decoding: invocations[1].storedJSON(), as: UTF8.self)
                    let broken = stored.replacingOccurrences(of: #""specversion":"1.0""#, with: #""specversion":"0.3""#)
                    #expect(broken != stored)
                    let rows = try await store.backend.execute(
                        "UPDATE delivery_invocations SET invocation = ? WHERE invocation_id = ? RETURNING seq", [.text(broken), .text(invocations[1].id)])
                    let seq = try #require(rows.first?.first?.integer)
                    let claimed = try await store.claim(3)
                    #expect(claimed.map(\.invocation) == [invocations[0], invocations[2]])
                    // Errors only: PostgreSQL's client may warn about its start meanwhile.
                    #expect(logs.entries.filter { $0.level == .error }.map(\.message.description) == [
                        #"unreadable: queued invocation \#(seq) holds an invocation that cannot be read: "#
                            + #"$.envelopes[0].specversion: only CloudEvents specversion "1.0" is supported"#
                    ])
                    for item in claimed { try await store.ack(item) }
                    #expect(try await store.status().total.depth == 1)
                    // Leased: not due again before the lease ends.
                    #expect(try await T.next(store, within: .milliseconds(200)) == nil)
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func enqueueNextAckInOrder(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend)) { store in
                    let invocations = try (1...3).map { try T.invocation($0) }
                    #expect(try await store.enqueue(invocations) == EnqueueReceipt(stored: invocations.map(\.id)))
                    var claimed: [QueuedInvocation] = []
                    for _ in 1...3 { claimed.append(try #require(try await store.next())) }
                    #expect(claimed.map(\.invocation) == invocations)
                    #expect(claimed.map(\.attempt) == [1, 1, 1])
                    #expect(Set(claimed.map(\.receipt)).count == 3)
                    try await store.ack(claimed[1])
                    let total = try await store.status().total
                    #expect([total.depth, total.inFlight, total.deadLetters] as [Int] == [2, 2, 0])
                    try await store.ack(claimed[0])
                    try await store.ack(claimed[2])
                    // A second ack of the same lease changes nothing.
                    try await store.ack(claimed[2])
                    #expect(try await store.status() == QueueStatus(functions: [:], total: .init()))
                    #expect(try await T.next(store, within: .milliseconds(100)) == nil)
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func nextWaitsForAnEnqueue(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend) { $0.pollInterval = .seconds(30) }) { store in
                    let waiting = Task { try await store.next() }
                    try await Task.sleep(for: .milliseconds(100))
                    let started = ContinuousClock.now
                    try await store.enqueue([try T.invocation(1)])
                    // Woken by the enqueue, well before the 30-second poll.
                    #expect(try await waiting.value?.invocation.id == (try T.invocation(1)).id)
                    #expect(ContinuousClock.now - started < .seconds(10))
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func aBatchIsStoredAllOrNone(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend) { $0.maxDepthPerFunction = 3 }) { store in
                    try await store.enqueue([try T.invocation(1), try T.invocation(2)])
                    let expected = QueueFullError(capacity: 3, held: 2, offered: 2, function: "f", retryAfter: .seconds(5))
                    await #expect(throws: expected) { try await store.enqueue([try T.invocation(3, function: "g"), try T.invocation(4), try T.invocation(5)]) }
                    #expect(
                        expected.description == "the delivery queue of function f is full: it holds 2 of 3 invocations and cannot take 2 more; retry later")
                    // Nothing of the refused batch was stored, not even the other function's invocation.
                    #expect(try await store.status().total.depth == 2)
                    #expect(try await store.enqueue([try T.invocation(3, function: "g")]).stored == [try T.invocation(3, function: "g").id])
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func theTotalDepthIsBoundedToo(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend) { $0.maxDepth = 3 }) { store in
                    try await store.enqueue([try T.invocation(1), try T.invocation(2), try T.invocation(3, function: "g")])
                    await #expect(throws: QueueFullError(capacity: 3, held: 3, offered: 1, retryAfter: .seconds(5))) {
                        try await store.enqueue([try T.invocation(4, function: "h")])
                    }
                    // Delivered invocations make room.
                    try await store.ack(try #require(try await store.next()))
                    try await store.enqueue([try T.invocation(4, function: "h")])
                    #expect(try await store.status().functions.mapValues(\.depth) == ["f": 1, "g": 1, "h": 1])
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func enqueuedInvocationsSurviveAStopAndACrash(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend)
                try await T.withStore(configuration) { store in
                    try await store.enqueue([try T.invocation(1), try T.invocation(2)])
                }
                // Cancelled right after the enqueue returned, like a killed process.
                try await T.withStore(configuration, crash: true) { store in
                    try await store.enqueue([try T.invocation(3)])
                }
                try await T.withStore(configuration) { store in
                    var ids: [String] = []
                    for _ in 1...3 { ids.append(try #require(try await store.next()).invocation.id) }
                    #expect(ids == (try (1...3).map { try T.invocation($0).id }))
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func concurrentEnqueuesShareTransactions(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend)) { store in
                    let requests = 64
                    let receipts = try await withThrowingTaskGroup(of: EnqueueReceipt.self) { group in
                        for number in 1...requests { group.addTask { try await store.enqueue([try T.invocation(number)]) } }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(receipts.flatMap(\.stored).count == requests)
                    #expect(try await store.status().total.depth == requests)
                    #expect(store.enqueueTransactions < requests)
                    #expect(store.enqueueTransactions >= 1)
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func aResentEventIsAcknowledgedButNotStoredTwiceWithinTheWindow(_ kind: StoreKind) async throws {
            let clock = ManualClock()
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend, clock: clock.store) { $0.dedupWindow = .seconds(600) }) { store in
                    let first = try T.invocation(1)
                    #expect(try await store.enqueue([first]) == EnqueueReceipt(stored: [first.id]))
                    #expect(try await store.enqueue([first, try T.invocation(2)]) == EnqueueReceipt(stored: [try T.invocation(2).id], duplicates: [first.id]))
                    // Delivered, then re-sent within the window: still a duplicate.
                    try await store.ack(try #require(try await store.next()))
                    clock.advance(.seconds(599))
                    #expect(try await store.enqueue([first]) == EnqueueReceipt(stored: [], duplicates: [first.id]))
                    // Twice in one batch: stored once.
                    let third = try T.invocation(3)
                    #expect(try await store.enqueue([third, third]) == EnqueueReceipt(stored: [third.id], duplicates: [third.id]))
                    // After the window it is a new delivery.
                    clock.advance(.seconds(2))
                    #expect(try await store.enqueue([first]) == EnqueueReceipt(stored: [first.id]))
                    // The same event for another function is another invocation.
                    #expect(try await store.enqueue([try T.invocation(1, function: "g")]).stored.count == 1)
                    #expect(try await store.status().total.depth == 4)
                }
            }
        }

        /// The marks are durable with the invocations: after a stop and after a crash a re-sent event is
        /// still a duplicate, whether the store read them as it opened (a gateway's) or in its first
        /// enqueue (a command's).
        @Test(arguments: StoreKind.allCases, [true, false])
        func marksOutliveAStopAndACrash(_ kind: StoreKind, servesGateway: Bool) async throws {
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend) { $0.servesGateway = servesGateway }
                let (one, two, three) = (try T.invocation(1), try T.invocation(2), try T.invocation(3))
                try await T.withStore(configuration) { store in try await store.enqueue([one]) }
                let afterStop = try await T.withStore(configuration, crash: true) { store in try await store.enqueue([one, two]) }
                #expect(afterStop == EnqueueReceipt(stored: [two.id], duplicates: [one.id]))
                let afterCrash = try await T.withStore(configuration) { store in try await store.enqueue([one, two, three]) }
                #expect(afterCrash == EnqueueReceipt(stored: [three.id], duplicates: [one.id, two.id]))
            }
        }

        /// A commit that fails after its marks were written leaves none: the call, sent again, is stored.
        @Test(arguments: StoreKind.allCases)
        func aFailedCommitLeavesNoMark(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend)) { store in
                    let doomed = try T.invocation(1, function: "doomed")
                    _ = try await store.status()
                    for statement in Self.failingInserts(kind, of: "doomed") { try await store.backend.execute(statement, []) }
                    await #expect(throws: (any Error).self) { try await store.enqueue([doomed, try T.invocation(2)]) }
                    #expect(try await Self.marks(store).isEmpty)
                    try await store.backend.execute("DROP TRIGGER doomed" + (kind == .postgres ? " ON delivery_invocations" : ""), [])
                    #expect(try await store.enqueue([doomed]) == EnqueueReceipt(stored: [doomed.id]))
                    #expect(try await store.enqueue([doomed]) == EnqueueReceipt(stored: [], duplicates: [doomed.id]))
                }
            }
        }

        /// A row of SQLite's marks that cannot be read is named in an error and skipped: enqueues go on,
        /// and the other rows' marks hold.
        @Test func anUnreadableRowOfMarksIsNamedAndSkipped() async throws {
            let logs = InMemoryLogHandler()
            try await T.withDatabase(.sqlite) { backend in
                let configuration = T.configuration(backend)
                let (one, two) = (try T.invocation(1), try T.invocation(2))
                try await T.withStore(configuration) { store in try await store.enqueue([one]) }
                try await T.withStore(configuration, logger: Logger(label: "test", factory: { _ in logs })) { store in
                    _ = try await store.status()
                    let rows = try await store.backend.execute("INSERT INTO delivery_seen (seen_at, ids) VALUES (1, '40:short') RETURNING number", [])
                    let number = try #require(rows.first?.first?.integer)
                    let receipt = try await store.enqueue([one, two])
                    #expect(receipt == EnqueueReceipt(stored: [two.id], duplicates: [one.id]))
                    let expected = "unreadable: row \(number) of delivery_seen cannot be read, its calls are no longer marked seen: "
                        + "expected a length, a colon and that many bytes at byte 0 of a list of seen ids"
                    #expect(logs.entries.filter { $0.level == .error }.map(\.message.description) == [expected])
                }
            }
        }

        /// Past `max_marks`, SQLite's oldest marks go before their window ends, with a warning (once a
        /// minute): a call among them is stored again, the newer ones are still duplicates, and the rows
        /// stay in the table until the window ends.
        @Test func pastMaxMarksTheOldestMarksGoWithAWarning() async throws {
            let logs = InMemoryLogHandler()
            try await T.withDatabase(.sqlite) { backend in
                let configuration = T.configuration(backend) { $0.maxMarks = 2 }
                try await T.withStore(configuration, logger: Logger(label: "test", factory: { _ in logs })) { store in
                    let invocations = try (1...3).map { try T.invocation($0) }
                    for invocation in invocations { try await store.enqueue([invocation]) }
                    let receipt = try await store.enqueue(invocations)
                    #expect(receipt == EnqueueReceipt(stored: [invocations[0].id], duplicates: [invocations[1].id, invocations[2].id]))
                    try await store.enqueue([try T.invocation(4)])
                    #expect(try await store.backend.execute("SELECT COUNT(*) FROM delivery_seen", []) == [[.integer(5)]])
                }
            }
            let warnings = logs.entries.filter { $0.level == .warning }.map(\.message.description)
            #expect(warnings.count == 1)
            #expect(warnings.first?.hasPrefix("deduplication marks past delivery.store.max_marks: those of calls seen 0 s ago and earlier are forgotten") == true)
        }

        /// Marks past the window anyway (not yet swept) go first without a warning: only those still within
        /// it are news.
        @Test func marksPastTheWindowGoWithoutAWarning() async throws {
            let logs = InMemoryLogHandler()
            let clock = ManualClock()
            try await T.withDatabase(.sqlite) { backend in
                let configuration = T.configuration(backend, clock: clock.store) {
                    $0.maxMarks = 2
                    $0.dedupWindow = .seconds(600)
                }
                try await T.withStore(configuration, logger: Logger(label: "test", factory: { _ in logs })) { store in
                    try await store.enqueue([try T.invocation(1)])
                    try await store.enqueue([try T.invocation(2)])
                    clock.advance(.seconds(601))
                    // Each commit reads the row before it; from the fourth on, the oldest is hollowed.
                    for number in 3...5 { try await store.enqueue([try T.invocation(number)]) }
                    #expect(logs.entries.filter { $0.level == .warning }.isEmpty)
                    try await store.enqueue([try T.invocation(6)])
                }
            }
            #expect(logs.entries.filter { $0.level == .warning }.count == 1)
        }

        /// Statements that make inserting an invocation for a function named like `name` fail.
        static func failingInserts(_ kind: StoreKind, of name: String) -> [String] {
            switch kind {
            case .sqlite:
                ["CREATE TRIGGER \(name) BEFORE INSERT ON delivery_invocations WHEN NEW.function LIKE '%\(name)%' BEGIN SELECT RAISE(ABORT, '\(name)'); END"]
            case .postgres:
                [
                    "CREATE FUNCTION \(name)() RETURNS trigger AS $$ BEGIN IF NEW.function LIKE '%\(name)%' THEN RAISE EXCEPTION '\(name)'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
                    "CREATE TRIGGER \(name) BEFORE INSERT ON delivery_invocations FOR EACH ROW EXECUTE FUNCTION \(name)()",
                ]
            }
        }

        @Test(arguments: StoreKind.allCases)
        func marksOlderThanTheWindowAreSwept(_ kind: StoreKind) async throws {
            let clock = ManualClock()
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend, clock: clock.store) { $0.dedupWindow = .seconds(600) }) { store in
                    try await store.enqueue([try T.invocation(1), try T.invocation(2)])
                    clock.advance(.seconds(300))
                    try await store.enqueue([try T.invocation(3)])
                    clock.advance(.seconds(301))
                    // A commit sweeps at most once a second.
                    try await Task.sleep(for: SQLDeliveryStore.dedupSweep + .milliseconds(100))
                    try await store.enqueue([try T.invocation(4)])
                    #expect(try await Self.marks(store).sorted() == (try [3, 4].map { try T.invocation($0).id }).sorted())
                }
            }
        }

        /// A sweep deletes the oldest expired marks, at most twice the ids offered since the last, and 64
        /// (``SQLDeliveryStore/sweepLimit(offered:)``): after a quiet spell, a window's marks are not
        /// deleted inside one commit that every 202 waits for.
        @Test(arguments: StoreKind.allCases)
        func aSweepDeletesAtMostItsShareOfTheExpiredMarksOldestFirst(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend) { $0.dedupWindow = .seconds(600) }) { store in
                    try await store.ready()
                    // Expired long ago, the oldest first: seen at 1...300 ms after 1970.
                    let expired = (1...300).map { (id: String(format: "expired-%03d", $0), seen: Int64($0)) }
                    try await Self.insertMarks(expired, kind: kind, store: store)
                    // A sweep after one invocation deletes 66 of them: twice as many, and 64.
                    #expect(SQLDeliveryStore.sweepLimit(offered: 1) == 66)
                    for number in 1...3 {
                        // Commits sweep at most once a second.
                        if number > 1 { try await Task.sleep(for: SQLDeliveryStore.dedupSweep + .milliseconds(100)) }
                        try await store.enqueue([try T.invocation(number)])
                        #expect(try await Self.marks(store, seenBefore: 1000) == Array(expired.map(\.id).dropFirst(66 * number)))
                    }
                }
            }
        }

        /// The ids marked seen (before `time`, in milliseconds since 1970), oldest first: PostgreSQL's
        /// table of marks, or the rows SQLite's commits appended.
        static func marks(_ store: SQLDeliveryStore, seenBefore time: Int64 = .max) async throws -> [String] {
            switch store.backend.dialect.kind {
            case .postgres:
                let rows = try await store.backend.execute(
                    "SELECT invocation_id FROM delivery_dedup WHERE seen_at < ? ORDER BY seen_at, invocation_id", [.integer(time)])
                return rows.compactMap { $0.first?.text }
            case .sqlite:
                let rows = try await store.backend.execute("SELECT ids FROM delivery_seen WHERE seen_at < ? ORDER BY number", [.integer(time)])
                return try rows.flatMap { try SeenLog.decode(try #require($0.first?.text)) }
            }
        }

        /// Marks `marks` seen beside the store, as another process would: a row each on SQLite.
        static func insertMarks(_ marks: [(id: String, seen: Int64)], kind: StoreKind, store: SQLDeliveryStore) async throws {
            let (sql, values): (String, [SQLValue]) =
                switch kind {
                case .postgres: ("INSERT INTO delivery_dedup (invocation_id, seen_at) VALUES ", marks.flatMap { [.text($0.id), .integer($0.seen)] })
                case .sqlite: ("INSERT INTO delivery_seen (ids, seen_at) VALUES ", marks.flatMap { [.text(SeenLog.encode([$0.id])), .integer($0.seen)] })
                }
            try await store.backend.execute(sql + SQLDeliveryStore.placeholders(marks.count, each: "(?, ?)"), values)
        }

        @Test(arguments: StoreKind.allCases)
        func twoProcessesEnqueueingTheSameEventsStoreThemOnce(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let invocations = try (1...20).map { try T.invocation($0) }
                try await T.withStore(T.configuration(backend)) { one in
                    try await T.withStore(T.configuration(backend)) { two in
                        // Each event offered by both at once, as a trigger retrying against another replica.
                        let receipts = try await withThrowingTaskGroup(of: EnqueueReceipt.self) { group in
                            for invocation in invocations {
                                group.addTask { try await one.enqueue([invocation]) }
                                group.addTask { try await two.enqueue([invocation]) }
                            }
                            return try await group.reduce(into: []) { $0.append($1) }
                        }
                        #expect(receipts.flatMap(\.stored).sorted() == invocations.map(\.id).sorted())
                        #expect(receipts.flatMap(\.duplicates).sorted() == invocations.map(\.id).sorted())
                        #expect(try await one.status().total.depth == 20)
                    }
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func twoProcessesOfferedOverlappingBatchesInOtherOrdersStoreEachOnce(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend)) { one in
                    try await T.withStore(T.configuration(backend)) { two in
                        // The same ids in opposite orders at once: marks taken in these orders would
                        // leave each process waiting for the other's.
                        for round in 0..<20 {
                            let invocations = try (1...12).map { try T.invocation(round * 100 + $0) }
                            let receipts = try await withThrowingTaskGroup(of: EnqueueReceipt.self) { group in
                                group.addTask { try await one.enqueue(invocations) }
                                group.addTask { try await two.enqueue(invocations.reversed()) }
                                group.addTask { try await two.enqueue(Array(invocations[3..<9].shuffled())) }
                                return try await group.reduce(into: []) { $0.append($1) }
                            }
                            #expect(receipts.flatMap(\.stored).sorted() == invocations.map(\.id).sorted())
                            #expect(receipts.map { $0.stored.count + $0.duplicates.count }.sorted() == [6, 12, 12])
                        }
                        #expect(try await one.status().total.depth == 240)
                    }
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func eachFunctionStaysWithinItsInFlightLimit(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend) { $0.maxInFlightPerFunction = 1 }) { store in
                    try await store.enqueue([try T.invocation(1), try T.invocation(2), try T.invocation(3, function: "g")])
                    let first = try #require(try await store.next())
                    #expect(first.invocation.id == (try T.invocation(1)).id)
                    // f is at its limit: g's invocation comes next although f's second is older.
                    #expect(try await store.next()?.invocation.id == (try T.invocation(3, function: "g")).id)
                    #expect(try await T.next(store, within: .milliseconds(200)) == nil)
                    try await store.retry(first, result: DeliveryQueueTests.failed(status: 503), after: .zero)
                    // The slot is free again: f's second invocation, due since it was enqueued, comes before the retry.
                    let second = try #require(try await T.next(store, within: .seconds(5)))
                    #expect(second.invocation.id == (try T.invocation(2)).id)
                    #expect(try await T.next(store, within: .milliseconds(200)) == nil)
                    try await store.ack(second)
                    let again = try #require(try await T.next(store, within: .seconds(5)))
                    #expect(again.invocation.id == first.invocation.id)
                    #expect(again.attempt == 2)
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func severalAreClaimedTogetherInOrderEachFunctionWithinItsLimit(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend)) { store in
                    // f and g take 4 calls at once each (the test invocations' concurrency).
                    let f = try (1...6).map { try T.invocation($0) }
                    let g = try (7...8).map { try T.invocation($0, function: "g") }
                    try await store.enqueue(f + g)
                    let first = try await store.next(upTo: 10)
                    // f's fifth and sixth stay due: f would pass its limit.
                    #expect(first.map(\.invocation) == Array(f[0..<4]) + g)
                    #expect(first.map(\.attempt) == Array(repeating: 1, count: 6))
                    #expect(Set(first.map(\.receipt)).count == 6)
                    #expect(try await store.status().total.inFlight == 6)
                    try await store.ack(first[0])
                    try await store.ack(first[4])
                    // One slot of f is free: its fifth alone, although more were asked for.
                    let fifth = try await T.next(store, upTo: 10, within: .seconds(5))
                    #expect(fifth.map(\.invocation) == [f[4]])
                    // Left due as it was by the claim that could not take it: this is its first attempt.
                    #expect(fifth.map(\.attempt) == [1])
                    for item in first[1...] { try await store.ack(item) }
                    let last = try await T.next(store, upTo: 10, within: .seconds(5))
                    #expect(last.map(\.invocation) == [f[5]])
                    #expect(last.map(\.attempt) == [1])
                    #expect(try await T.next(store, within: .milliseconds(200)) == nil)
                }
            }
        }

        /// A process that has not met a function (another process enqueued its calls) reads its in-flight
        /// limit from one of its invocations: the claim takes up to the limit, neither one alone nor more.
        @Test(arguments: StoreKind.allCases)
        func aClaimKeepsTheLimitOfAFunctionAnotherProcessEnqueuedFor(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend)) { one in
                    try await T.withStore(T.configuration(backend)) { two in
                        // The test invocations' concurrency is 4.
                        let f = try (1...6).map { try T.invocation($0) }
                        try await two.enqueue(f)
                        let claimed = try await T.next(one, upTo: 10, within: .seconds(5))
                        #expect(claimed.map(\.invocation) == Array(f[0..<4]))
                        #expect(claimed.map(\.attempt) == Array(repeating: 1, count: 4))
                        try await one.ack(claimed[0])
                        #expect(try await T.next(one, upTo: 10, within: .seconds(5)).map(\.invocation) == [f[4]])
                    }
                }
            }
        }

        /// Counting the depths takes at most a fiftieth of the time: counts come a second apart while
        /// they are quick, further apart when a long queue makes them slow.
        @Test
        func depthCountsSpaceOutWhenCountingIsSlow() {
            #expect(SQLDeliveryStore.recountInterval(after: .milliseconds(2)) == .seconds(1))
            #expect(SQLDeliveryStore.recountInterval(after: .milliseconds(47)) == .milliseconds(2350))
        }

        @Test(arguments: StoreKind.allCases)
        func anotherProcesssEnqueueIsClaimedWhileTheOnlyFunctionWithABacklogIsFull(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend) { $0.maxInFlightPerFunction = 1 }) { one in
                    try await T.withStore(T.configuration(backend)) { two in
                        try await one.enqueue([try T.invocation(1), try T.invocation(2)])
                        #expect(try await one.next()?.invocation.id == (try T.invocation(1)).id)
                        // f is full with a backlog: one stops looking in the database until its counts
                        // show another function holding invocations.
                        #expect(try await T.next(one, within: .milliseconds(300)) == nil)
                        try await two.enqueue([try T.invocation(3, function: "g")])
                        #expect(try await T.next(one, within: .seconds(5))?.invocation.id == (try T.invocation(3, function: "g")).id)
                    }
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func aSettledCallWakesAWorkerWaitingForItsFunction(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend) {
                    $0.pollInterval = .seconds(30)
                    $0.maxInFlightPerFunction = 1
                }
                try await T.withStore(configuration) { store in
                    try await store.enqueue([try T.invocation(1), try T.invocation(2)])
                    let first = try #require(try await store.next())
                    let started = ContinuousClock.now
                    async let second = T.next(store, within: .seconds(10))
                    try await Task.sleep(for: .milliseconds(100))
                    try await store.ack(first)
                    // Woken by the settlement, well before the 30-second poll.
                    #expect(try await second?.invocation.id == (try T.invocation(2)).id)
                    #expect(ContinuousClock.now - started < .seconds(5))
                }
            }
        }

        @Test(arguments: StoreKind.allCases)
        func statusCountsPerFunctionAndInTotal(_ kind: StoreKind) async throws {
            let clock = ManualClock()
            try await T.withDatabase(kind) { backend in
                try await T.withStore(T.configuration(backend, clock: clock.store)) { store in
                    try await store.enqueue([try T.invocation(1), try T.invocation(2, function: "g")])
                    clock.advance(.seconds(10))
                    try await store.enqueue([try T.invocation(3)])
                    let first = try #require(try await store.next())
                    let second = try #require(try await store.next())
                    #expect(second.invocation.function.name == "g")
                    try await store.deadLetter(second, result: DeliveryQueueTests.failed(status: 400), reason: .terminalStatus)
                    clock.advance(.seconds(5))
                    let status = try await store.status()
                    #expect(
                        status
                            == QueueStatus(
                                functions: [
                                    "f": .init(depth: 2, inFlight: 1, deadLetters: 0, oldestAge: .seconds(15)),
                                    "g": .init(depth: 0, inFlight: 0, deadLetters: 1, oldestAge: nil),
                                ],
                                total: .init(depth: 2, inFlight: 1, deadLetters: 1, oldestAge: .seconds(15))))
                    try await store.ack(first)
                }
            }
        }
    }
}
