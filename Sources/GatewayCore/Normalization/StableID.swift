/// Deterministic event ids for sources that carry none.
///
/// An id is the first 128 bits of SHA-256 over the parts (each length-prefixed, so `("ab","c")` and
/// `("a","bc")` differ), as 32 lower-case hex digits. The same input always yields the same id, which
/// dedup and golden tests rely on; nothing random goes in.
public enum StableID {
    /// The id for `parts`, typically the dialect, the stable fields of the source, the batch position
    /// and the bytes of the element.
    public static func make(_ parts: [StableIDPart]) -> String {
        var hasher = SHA256()
        for part in parts {
            switch part {
            case .text(let text):
                hasher.update(length: text.utf8.count)
                hasher.update(text.utf8)
            case .bytes(let bytes):
                hasher.update(length: bytes.count)
                hasher.update(bytes)
            case .number(let value):
                hasher.update(length: 8)
                hasher.update(length: value)
            }
        }
        let digest = hasher.finalize()
        let hex = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for (index, byte) in digest.prefix(16).enumerated() {
                buffer[2 * index] = hex[Int(byte >> 4)]
                buffer[2 * index + 1] = hex[Int(byte & 0x0F)]
            }
            return 32
        }
    }

    public static func make(_ parts: StableIDPart...) -> String { make(parts) }
}

/// One input to a ``StableID``.
public enum StableIDPart: Sendable, ExpressibleByStringLiteral {
    case text(String)
    case bytes(ArraySlice<UInt8>)
    case number(Int)

    public init(stringLiteral value: String) { self = .text(value) }
}

/// SHA-256 (FIPS 180-4), small and dependency-free: the core target links Foundation only.
///
/// Parts are collected into one message and hashed at `finalize()`; id inputs are small.
struct SHA256 {
    private var message: [UInt8] = []

    mutating func update(length count: Int) {
        withUnsafeBytes(of: UInt64(bitPattern: Int64(count)).bigEndian) { message.append(contentsOf: $0) }
    }

    mutating func update(_ bytes: some Sequence<UInt8>) {
        message.append(contentsOf: bytes)
    }

    mutating func finalize() -> [UInt8] {
        let bits = UInt64(message.count) &* 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        withUnsafeBytes(of: bits.bigEndian) { message.append(contentsOf: $0) }
        var state: [UInt32] = [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            message.withUnsafeBufferPointer { bytes in
                for block in stride(from: 0, to: bytes.count, by: 64) {
                    Self.compress(bytes, at: block, schedule: w, state: &state)
                }
            }
        }
        return state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) } }
    }

    private static func compress(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, schedule w: UnsafeMutableBufferPointer<UInt32>, state: inout [UInt32]) {
        for i in 0..<16 {
            let base = offset + 4 * i
            w[i] = UInt32(bytes[base]) << 24 | UInt32(bytes[base + 1]) << 16 | UInt32(bytes[base + 2]) << 8 | UInt32(bytes[base + 3])
        }
        for i in 16..<64 {
            let s0 = w[i - 15].rotatedRight(7) ^ w[i - 15].rotatedRight(18) ^ (w[i - 15] >> 3)
            let s1 = w[i - 2].rotatedRight(17) ^ w[i - 2].rotatedRight(19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
        for i in 0..<64 {
            let s1 = e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)
            let choice = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ choice &+ k[i] &+ w[i]
            let s0 = a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ s0 &+ majority)
        }
        state[0] &+= a
        state[1] &+= b
        state[2] &+= c
        state[3] &+= d
        state[4] &+= e
        state[5] &+= f
        state[6] &+= g
        state[7] &+= h
    }

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}

extension UInt32 {
    fileprivate func rotatedRight(_ count: UInt32) -> UInt32 { self >> count | self << (32 - count) }
}
