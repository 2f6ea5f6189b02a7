/// A trie over byte strings whose nodes carry values: finds every stored key that is a prefix of a
/// given byte string in one walk, whatever the number of keys.
struct ByteTrie<Value: Sendable>: Sendable {
    private struct Node: Sendable {
        /// Children by byte, kept sorted; nodes have few children.
        var bytes: [UInt8] = []
        var children: [Int32] = []
        var values: [Value] = []
    }

    private var nodes: [Node] = [Node()]

    var isEmpty: Bool { nodes.count == 1 && nodes[0].values.isEmpty }

    mutating func insert(_ key: some Sequence<UInt8>, _ value: Value) {
        var node = 0
        for byte in key {
            let bytes = nodes[node].bytes
            var low = 0
            var high = bytes.count
            while low < high {
                let middle = (low + high) / 2
                if bytes[middle] < byte { low = middle + 1 } else { high = middle }
            }
            if low < bytes.count, bytes[low] == byte {
                node = Int(nodes[node].children[low])
            } else {
                nodes.append(Node())
                nodes[node].bytes.insert(byte, at: low)
                nodes[node].children.insert(Int32(nodes.count - 1), at: low)
                node = nodes.count - 1
            }
        }
        nodes[node].values.append(value)
    }

    /// Calls `visit` with the values of every stored key that is a prefix of `key` (the empty key too).
    func forEachPrefix(of key: some Sequence<UInt8>, _ visit: (Value) -> Void) {
        var node = 0
        nodes[0].values.forEach(visit)
        for byte in key {
            guard let child = child(of: node, byte) else { return }
            node = child
            nodes[node].values.forEach(visit)
        }
    }

    private func child(of node: Int, _ byte: UInt8) -> Int? {
        let bytes = nodes[node].bytes
        var low = 0
        var high = bytes.count
        while low < high {
            let middle = (low + high) / 2
            if bytes[middle] < byte { low = middle + 1 } else { high = middle }
        }
        return low < bytes.count && bytes[low] == byte ? Int(nodes[node].children[low]) : nil
    }
}
