/// An IPv4 or IPv6 network (`10.0.0.0/8`, `2001:db8::/32`) and the addresses it contains.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The network address, masked: 4 bytes for IPv4, 16 for IPv6.
    public let network: [UInt8]
    public let prefixLength: Int
    public let text: String

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = Self.address(String(parts[0])), let length = Int(parts[1]),
            (0...address.count * 8).contains(length), parts[1].allSatisfy(\.isASCIIDigit)
        else { return nil }
        self.network = Self.mask(address, length)
        self.prefixLength = length
        self.text = text
    }

    public var description: String { text }

    /// Whether `address` (IPv4, IPv6, or IPv4-mapped IPv6 for an IPv4 network) lies in the network.
    public func contains(_ address: [UInt8]) -> Bool {
        var address = address
        if network.count == 4, address.count == 16, address[0..<12].elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) {
            address = Array(address[12...])
        }
        guard address.count == network.count else { return false }
        return Self.mask(address, prefixLength) == network
    }

    static func mask(_ address: [UInt8], _ length: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let bits = max(0, min(8, length - index * 8))
            return bits == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
    }

    /// The bytes of an IPv4 (`a.b.c.d`) or IPv6 address (with `::` and a trailing dotted quad), or nil.
    public static func address(_ text: String) -> [UInt8]? {
        text.contains(":") ? ipv6(text) : ipv4(Substring(text))
    }

    private static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let value = UInt8(part),
                part.count == 1 || part.first != "0"
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func ipv6(_ text: String) -> [UInt8]? {
        var halves = [text]
        if let range = text.firstRange(of: "::") {
            halves = [String(text[..<range.lowerBound]), String(text[range.upperBound...])]
            guard halves[1].firstRange(of: "::") == nil else { return nil }
        }
        func groups(_ part: String) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = ipv4(piece) else { return nil }
                    bytes += v4
                } else {
                    guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                }
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}
