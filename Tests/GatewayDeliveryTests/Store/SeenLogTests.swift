@testable import GatewayDelivery
import Testing

/// SQLite's deduplication marks in memory, and the text their rows keep the ids in.
struct SeenLogTests {
    @Test(arguments: [
        [],
        ["a"],
        ["", "12:ab", "3:", "événement-été", "with\nnewline", String(repeating: "x", count: 300)],
    ])
    func idsGoThroughTheirTextUnchanged(_ ids: [String]) throws {
        #expect(try SeenLog.decode(SeenLog.encode(ids)) == ids)
    }

    @Test func theTextPutsEachIdsLengthInBytesFirst() {
        #expect(SeenLog.encode(["ab", "é"]) == "2:ab2:é")
    }

    @Test(arguments: [
        ("5:ab", 0),
        ("2:ab3", 4),
        ("x:ab", 0),
        ("-1:", 0),
    ])
    func aTextThatStopsMakingSenseNamesTheByte(_ text: String, _ byte: Int) {
        #expect(throws: StoreError(.unreadable, "expected a length, a colon and that many bytes at byte \(byte) of a list of seen ids")) {
            try SeenLog.decode(text)
        }
    }

    /// Milliseconds since 1970: marks keep times from 2020 on.
    static let t = Int64(1_700_000_000_000)

    @Test func anIdIsADuplicateUntilItsMarkIsPastTheCutoff() {
        var log = SeenLog()
        log.apply(number: 1, seenAt: Self.t + 100, ids: ["a", "b"])
        #expect(log.fresh(["a", "b", "c"], after: Self.t + 99) == ["c"])
        #expect(log.fresh(["a", "b", "c"], after: Self.t + 100) == ["a", "b", "c"])
        #expect(log.lastRow == 1)
    }

    /// Times before 2020 count as 2020: such marks are past any cutoff of today's.
    @Test func marksFromBefore2020AreOld() {
        var log = SeenLog()
        log.apply(number: 1, seenAt: 5, ids: ["a"])
        #expect(log.fresh(["a"], after: Self.t) == ["a"])
        #expect(log.fresh(["a"], after: 1) == ["a"])
        #expect(log.expire(through: 5, limit: 10) == 1)
        #expect(log.count == 0)
    }

    @Test func expiringForgetsWholeRowsOldestFirstUpToTheLimit() {
        var log = SeenLog()
        log.apply(number: 1, seenAt: Self.t + 100, ids: ["a", "b"])
        log.apply(number: 2, seenAt: Self.t + 200, ids: ["c"])
        log.apply(number: 5, seenAt: Self.t + 300, ids: ["d"])
        // A limit of one still forgets the first row whole.
        #expect(log.expire(through: Self.t + 250, limit: 1) == 1)
        #expect(log.count == 2)
        #expect(log.expire(through: Self.t + 250, limit: 10) == 2)
        #expect(log.expire(through: Self.t + 250, limit: 10) == nil)
        #expect(log.fresh(["a", "b", "c", "d"], after: Self.t + 250) == ["a", "b", "c"])
        #expect(log.count == 1)
    }

    @Test func aMarkSeenAgainOutlivesItsFirstRow() {
        var log = SeenLog()
        log.apply(number: 1, seenAt: Self.t + 100, ids: ["a"])
        log.apply(number: 2, seenAt: Self.t + 900, ids: ["a"])
        #expect(log.expire(through: Self.t + 500, limit: 10) == 1)
        #expect(log.fresh(["a"], after: Self.t + 500).isEmpty)
        #expect(log.count == 1)
    }

    /// Another process's row with an earlier time, read after this one's: the later mark stays.
    @Test func anEarlierMarkReadLaterLeavesTheLaterOne() {
        var log = SeenLog()
        log.apply(number: 1, seenAt: Self.t + 900, ids: ["a"])
        log.apply(number: 2, seenAt: Self.t + 100, ids: ["a"])
        #expect(log.fresh(["a"], after: Self.t + 500).isEmpty)
    }

    /// Rows far apart in time: thousands forgotten, and the rest still found, after the array is cut.
    @Test func manyRowsExpireAndTheRestStay() {
        var log = SeenLog()
        for number in 1...5000 { log.apply(number: Int64(number), seenAt: Self.t + Int64(number), ids: ["id-\(number)"]) }
        #expect(log.expire(through: Self.t + 3000, limit: 10_000) == 3000)
        #expect(log.count == 2000)
        #expect(log.fresh(["id-3000", "id-3001", "id-5000"], after: Self.t + 3000) == ["id-3000"])
        #expect(log.expire(through: Self.t + 5000, limit: 10_000) == 5000)
        #expect(log.count == 0)
    }

    /// Past a bound, the oldest rows lose their marks whatever their time; they stay, hollow, so that
    /// expiry still says when the table's rows can go.
    @Test func trimmingHollowsTheOldestRowsAndExpiryStillNamesThem() {
        var log = SeenLog()
        log.apply(number: 1, seenAt: Self.t + 100, ids: ["a", "b"])
        log.apply(number: 2, seenAt: Self.t + 200, ids: ["c"])
        log.apply(number: 3, seenAt: Self.t + 300, ids: ["d", "e"])
        #expect(log.trim(toAtMost: 5) == nil)
        #expect(log.trim(toAtMost: 3) == Self.t + 100)
        #expect(log.held == 3)
        #expect(log.fresh(["a", "b", "c", "d", "e"], after: Self.t) == ["a", "b"])
        #expect(log.trim(toAtMost: 2) == Self.t + 200)
        #expect(log.fresh(["a", "b", "c", "d", "e"], after: Self.t) == ["a", "b", "c"])
        #expect(log.trim(toAtMost: 2) == nil)
        // Both hollow rows expire together; the marks held stay.
        #expect(log.expire(through: Self.t + 250, limit: 100) == 2)
        #expect(log.held == 2)
        #expect(log.fresh(["d", "e"], after: Self.t) == [])
        log.apply(number: 4, seenAt: Self.t + 400, ids: ["f"])
        #expect(log.expire(through: Self.t + 350, limit: 100) == 3)
        #expect(log.fresh(["d", "e", "f"], after: Self.t) == ["d", "e"])
        #expect(log.held == 1)
    }

    /// Hollow rows, expired rows and held rows keep their places when the arrays are cut (the keys' past
    /// 16,384 gone, the rows' past 1,024).
    @Test func trimmingAndExpiringSurviveTheArraysBeingCut() {
        var log = SeenLog()
        for number in 1...40_000 { log.apply(number: Int64(number), seenAt: Self.t + Int64(number), ids: ["id-\(number)"]) }
        #expect(log.trim(toAtMost: 10_000) == Self.t + 30_000)
        #expect(log.count == 10_000)
        #expect(log.held == 10_000)
        #expect(log.expire(through: Self.t + 25_000, limit: 100_000) == 25_000)
        #expect(log.fresh(["id-1", "id-30000", "id-30001", "id-40000"], after: Self.t) == ["id-1", "id-30000"])
        #expect(log.trim(toAtMost: 5_000) == Self.t + 35_000)
        #expect(log.expire(through: Self.t + 36_000, limit: 100_000) == 36_000)
        #expect(log.held == 4_000)
        #expect(log.fresh(["id-36000", "id-36001", "id-40000"], after: Self.t) == ["id-36000"])
        #expect(log.expire(through: Self.t + 40_000, limit: 100_000) == 40_000)
        #expect(log.count == 0)
        #expect(log.held == 0)
    }
}
