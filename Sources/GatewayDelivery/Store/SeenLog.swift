/// The deduplication marks of a SQLite store, in memory: a copy of its `delivery_seen` table, where each
/// commit appends one row with the ids it stored.
///
/// On PostgreSQL the marks are a table keyed by id, which processes share. On SQLite that key index took
/// one random page of the log an event, written and synced before each 202: about 14 us of the 72 us an
/// event cost to accept. Rows appended in commit order fill one page after another instead, and the ids
/// are looked up here. Each commit first applies the rows committed since its last look, its own earlier
/// ones and other processes' alike, so that a commit that rolled back never leaves a mark behind.
///
/// A mark takes 16 bytes and a dictionary's slack, and 8 more in the rows' order: about 40 bytes in all
/// with many ids a row, half what a 128-bit digest and a time took. Its key is 64 bits of a SipHash value
/// of the id (keyed at random per process; the table keeps the ids themselves); its value, 23 bits of
/// another and the time seen, in 41 bits. Two ids are taken for one only if all 87 bits agree (about one
/// chance in 10^19 an id with a window of ten million marks). Two ids that share a key keep the later
/// mark: the other may then be delivered again, which at-least-once allows; a mark is never taken for
/// another's.
struct SeenLog: Sendable {
    /// A row of the table: one commit's ids, the next `count` keys of ``keys``.
    struct Row: Sendable {
        var number: Int64
        var seenAt: Int64
        var count: Int
    }

    /// A mark's value for each key.
    private var seen: [UInt64: UInt64] = [:]
    /// The rows applied, oldest first from `head` on, and their keys in the same order from `keysHead`
    /// on: one array for all, rather than one for each row, which took 50 bytes more a row.
    private var rows: [Row] = []
    private var head = 0
    /// The first row that still holds its keys: those before it (from `head` on) were hollowed by
    /// ``trim(toAtMost:)``, and are kept (24 bytes each) only for ``expire(through:limit:)`` to say
    /// when the table's rows can go.
    private var hollow = 0
    private var keys: [UInt64] = []
    private var keysHead = 0
    /// The number of the last row applied: later rows are new.
    private(set) var lastRow: Int64 = 0

    /// The ids marked.
    var count: Int { seen.count }

    /// The marks held: an id seen in several rows counts once a row.
    var held: Int { keys.count - keysHead }

    /// Applies a row numbered after ``lastRow``.
    mutating func apply(number: Int64, seenAt: Int64, ids: [String]) {
        let time = Self.time(seenAt)
        for id in ids {
            let (key, tag) = Self.digest(id)
            // A later mark stays (another process's, its clock ahead of this one's).
            if (seen[key].map(Self.time(of:)) ?? 0) <= time { seen[key] = tag << Self.timeBits | time }
            keys.append(key)
        }
        rows.append(Row(number: number, seenAt: seenAt, count: ids.count))
        lastRow = max(lastRow, number)
    }

    /// The ids of `ids` not seen after `cutoff`: the others are duplicates.
    func fresh(_ ids: Set<String>, after cutoff: Int64) -> Set<String> {
        let cutoff = Self.time(cutoff)
        return ids.filter { id in
            let (key, tag) = Self.digest(id)
            guard let mark = seen[key] else { return true }
            return Self.tag(of: mark) != tag || Self.time(of: mark) <= cutoff
        }
    }

    /// Forgets the oldest rows seen at or before `cutoff`, until `limit` marks went (whole rows), and
    /// returns the number of the last row forgotten: the table's rows up to it can go. A mark seen again
    /// since stays.
    mutating func expire(through cutoff: Int64, limit: Int) -> Int64? {
        var forgotten = 0
        var last: Int64?
        while head < rows.count, forgotten < limit, rows[head].seenAt <= cutoff {
            if head == hollow { forgetKeys(of: rows[head]) }
            forgotten += rows[head].count
            last = rows[head].number
            head += 1
            hollow = max(hollow, head)
        }
        compact()
        return last
    }

    /// Cuts what went from the fronts of the arrays, each once half of it is gone, into new arrays of
    /// the size left: the memory a burst or a start's reading took comes back.
    private mutating func compact() {
        if head > 1024, head * 2 > rows.count {
            rows = Array(rows[head...])
            hollow -= head
            head = 0
        }
        if keysHead > 16384, keysHead * 2 > keys.count {
            keys = Array(keys[keysHead...])
            keysHead = 0
        }
    }

    /// Forgets the marks of the oldest rows, whatever their time, until at most `limit` are held, and
    /// returns when the last row hollowed was seen (nil when none was): memory stays bounded, and a call
    /// sent again after that time is no longer a duplicate. The rows stay, hollow, until they expire.
    mutating func trim(toAtMost limit: Int) -> Int64? {
        var seenAt: Int64?
        while held > limit, hollow < rows.count {
            forgetKeys(of: rows[hollow])
            seenAt = rows[hollow].seenAt
            hollow += 1
        }
        compact()
        return seenAt
    }

    /// Forgets the marks of `row`, the oldest that holds its keys, but those seen again since.
    private mutating func forgetKeys(of row: Row) {
        let time = Self.time(row.seenAt)
        for key in keys[keysHead..<keysHead + row.count] where seen[key].map(Self.time(of:)) ?? .max <= time { seen[key] = nil }
        keysHead += row.count
    }

    /// A mark's time: milliseconds since 2020, in 41 bits (until 2089); earlier times count as 2020.
    private static let timeBits: UInt64 = 41
    private static let epoch: Int64 = 1_577_836_800_000

    private static func time(_ millis: Int64) -> UInt64 {
        UInt64(min(max(millis - epoch, 0), Int64(1 << timeBits - 1)))
    }

    private static func time(of mark: UInt64) -> UInt64 {
        mark & (1 << timeBits - 1)
    }

    private static func tag(of mark: UInt64) -> UInt64 {
        mark >> timeBits
    }

    /// An id's key and tag: two SipHash values, told apart by a first byte.
    private static func digest(_ id: String) -> (key: UInt64, tag: UInt64) {
        var key = Hasher()
        key.combine(UInt8(1))
        key.combine(id)
        var tag = Hasher()
        tag.combine(UInt8(2))
        tag.combine(id)
        return (UInt64(truncatingIfNeeded: key.finalize()), UInt64(truncatingIfNeeded: tag.finalize()) >> timeBits)
    }
}

extension SeenLog {
    /// The ids of a row as one text: each id's length in UTF-8 bytes, a colon, and the id, so that any id
    /// fits.
    static func encode(_ ids: [String]) -> String {
        ids.map { "\($0.utf8.count):\($0)" }.joined()
    }

    /// The ids of a text that ``encode(_:)`` wrote.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/unreadable``) naming the byte where the text stops
    ///   making sense.
    static func decode(_ text: String) throws -> [String] {
        let bytes = Array(text.utf8)
        var ids: [String] = []
        var index = 0
        while index < bytes.count {
            guard let colon = bytes[index...].firstIndex(of: UInt8(ascii: ":")),
                let length = Int(String(decoding: bytes[index..<colon], as: UTF8.self)), length >= 0, colon + 1 + length <= bytes.count
            else {
                throw StoreError(.unreadable, "expected a length, a colon and that many bytes at byte \(index) of a list of seen ids")
            }
            ids.append(String(decoding: bytes[(colon + 1)..<(colon + 1 + length)], as: UTF8.self))
            index = colon + 1 + length
        }
        return ids
    }
}
