/// Deterministic event ids for sources that carry none.
///
/// An id is the 128-bit MurmurHash3 (x64 variant, seed 0) of the parts, each prefixed by its length so
/// that `("ab","c")` and `("a","bc")` differ, written as 32 lower-case hex digits. The same input always
/// yields the same id, which dedup and golden tests rely on; nothing random goes in.
///
/// MurmurHash3 is not a cryptographic hash: ids name events for deduplication, they do not protect
/// anything. It is used because ids are derived on the hot path, where SHA-256 cost ten times more.
public enum StableID {
    /// The id for `parts`, typically the dialect, the stable fields of the source, the batch position
    /// and the bytes of the element.
    public static func make(_ parts: [StableIDPart]) -> String {
        make(parts, after: nil)
    }

    /// The id for `first` (when given) followed by `parts`: what ``make(_:)`` gives for the joined list,
    /// without building it (dialects derive ids per event, and the joined array was an allocation each).
    static func make(_ parts: [StableIDPart], after first: StableIDPart?) -> String {
        var message: [UInt8] = []
        message.reserveCapacity(parts.reduce(first.map { $0.byteCount + 8 } ?? 0) { $0 + $1.byteCount + 8 })
        if let first { append(first, to: &message) }
        for part in parts { append(part, to: &message) }
        let (high, low) = message.withUnsafeBytes { MurmurHash3.hash128($0) }
        return String(unsafeUninitializedCapacity: 32) { buffer in
            // The two words in turn, without an array of them (an allocation per id).
            for index in 0..<32 {
                let word = index < 16 ? high : low
                let nibble = UInt8(truncatingIfNeeded: word >> (60 - 4 * UInt64(index & 15))) & 0x0F
                buffer[index] = nibble < 10 ? 48 + nibble : 87 + nibble
            }
            return 32
        }
    }

    public static func make(_ parts: StableIDPart...) -> String { make(parts) }

    /// Appends `part`, prefixed by its length.
    private static func append(_ part: StableIDPart, to message: inout [UInt8]) {
        switch part {
        case .text(let text):
            appendLength(text.utf8.count, to: &message)
            text.withUTF8Buffer { message.append(contentsOf: $0) }
        case .bytes(let bytes):
            appendLength(bytes.count, to: &message)
            message.append(contentsOf: bytes)
        case .number(let value):
            appendLength(8, to: &message)
            appendLength(value, to: &message)
        }
    }

    private static func appendLength(_ value: Int, to message: inout [UInt8]) {
        withUnsafeBytes(of: UInt64(bitPattern: Int64(value)).bigEndian) { message.append(contentsOf: $0) }
    }
}

/// One input to a ``StableID``.
public enum StableIDPart: Sendable, ExpressibleByStringLiteral {
    case text(String)
    case bytes(ArraySlice<UInt8>)
    case number(Int)

    public init(stringLiteral value: String) { self = .text(value) }

    var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .bytes(let bytes): bytes.count
        case .number: 8
        }
    }
}

/// MurmurHash3_x64_128 (Austin Appleby, public domain), reading words little-endian on every platform.
enum MurmurHash3 {
    private static let c1: UInt64 = 0x87c3_7b91_1142_53d5
    private static let c2: UInt64 = 0x4cf5_ad43_2745_937f

    static func hash128(_ data: UnsafeRawBufferPointer, seed: UInt64 = 0) -> (UInt64, UInt64) {
        var h1 = seed
        var h2 = seed
        let blocks = data.count / 16
        for block in 0..<blocks {
            var k1 = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: block * 16, as: UInt64.self))
            var k2 = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: block * 16 + 8, as: UInt64.self))
            k1 = (k1 &* c1).rotatedLeft(31) &* c2
            h1 ^= k1
            h1 = (h1.rotatedLeft(27) &+ h2) &* 5 &+ 0x52dc_e729
            k2 = (k2 &* c2).rotatedLeft(33) &* c1
            h2 ^= k2
            h2 = (h2.rotatedLeft(31) &+ h1) &* 5 &+ 0x3849_5ab5
        }
        let tail = blocks * 16
        var k1: UInt64 = 0
        var k2: UInt64 = 0
        let remaining = data.count & 15
        if remaining > 8 {
            for index in stride(from: remaining - 1, through: 8, by: -1) { k2 ^= UInt64(data[tail + index]) << (8 * UInt64(index - 8)) }
            k2 = (k2 &* c2).rotatedLeft(33) &* c1
            h2 ^= k2
        }
        if remaining > 0 {
            for index in stride(from: min(remaining, 8) - 1, through: 0, by: -1) { k1 ^= UInt64(data[tail + index]) << (8 * UInt64(index)) }
            k1 = (k1 &* c1).rotatedLeft(31) &* c2
            h1 ^= k1
        }
        h1 ^= UInt64(data.count)
        h2 ^= UInt64(data.count)
        h1 &+= h2
        h2 &+= h1
        h1 = mix(h1)
        h2 = mix(h2)
        h1 &+= h2
        h2 &+= h1
        return (h1, h2)
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k &*= 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k &*= 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
