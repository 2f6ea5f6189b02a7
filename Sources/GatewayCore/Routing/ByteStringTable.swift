/// Exact text to predicate lists, keyed by UTF-8 bytes: the equality the route language uses (no
/// Unicode normalization), looked up without hashing a `String` or retaining a list.
///
/// Open addressing over a power-of-two table at most half full. The hash is a fast multiplicative
/// one, not a seeded one: keys come from route files, so events can only probe the fixed table, never
/// lengthen its chains.
final class ByteStringTable: Sendable {
    private let keyBytes: FlatLists<UInt8>
    private let lists: FlatLists<Int32>
    /// Key position per slot, -1 when empty.
    private let slots: [Int32]
    private let hashes: [UInt64]
    private let mask: Int

    init(_ map: [[UInt8]: [Int32]]) {
        let entries = map.map { (key: $0.key, lists: $0.value) }
        keyBytes = FlatLists(entries.map(\.key))
        lists = FlatLists(entries.map(\.lists))
        var capacity = 4
        while capacity < entries.count * 2 { capacity *= 2 }
        mask = capacity - 1
        var slots = [Int32](repeating: -1, count: capacity)
        var hashes = [UInt64](repeating: 0, count: entries.count)
        for (position, entry) in entries.enumerated() {
            let hash = entry.key.withUnsafeBufferPointer(Self.hash)
            hashes[position] = hash
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(position)
        }
        self.slots = slots
        self.hashes = hashes
    }

    var isEmpty: Bool { hashes.isEmpty }

    /// The lists stored under exactly these bytes.
    subscript(bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<Int32>? {
        let hash = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let position = Int(slots[slot])
            guard position >= 0 else { return nil }
            if hashes[position] == hash, keyBytes[position].elementsEqual(bytes) { return lists[position] }
            slot = (slot + 1) & mask
        }
    }

    /// Eight bytes at a time, each word mixed by a multiply and a rotate, then the length and a final avalanche.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var hash: UInt64 = 0
        var index = 0
        let raw = UnsafeRawBufferPointer(bytes)
        while index + 8 <= raw.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            hash = ((hash ^ word) &* multiplier).rotatedLeft(by: 29)
            index += 8
        }
        var tail: UInt64 = 0
        withUnsafeMutableBytes(of: &tail) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[index...])) }
        tail = UInt64(littleEndian: tail)
        hash = ((hash ^ tail ^ UInt64(raw.count) << 56) &* multiplier)
        return hash ^ (hash >> 32)
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
