/// A trie over byte strings whose nodes carry values: finds every stored key that is a prefix of a
/// given byte string in one walk, whatever the number of keys.
///
/// Built with ``insert(_:_:)``, then ``frozen()`` into flat buffers for lookups.
struct ByteTrie<Value: BitwiseCopyable & Sendable>: Sendable {
    fileprivate struct Node: Sendable {
        /// Children by byte, kept sorted; nodes have few children.
        var bytes: [UInt8] = []
        var children: [Int32] = []
        var values: [Value] = []
    }

    fileprivate var nodes: [Node] = [Node()]

    var isEmpty: Bool { nodes.count == 1 && nodes[0].values.isEmpty }

    mutating func insert(_ key: some Sequence<UInt8>, _ value: Value) {
        var node = 0
        for byte in key {
            let (position, found) = Self.search(nodes[node].bytes[...], byte)
            if found {
                node = Int(nodes[node].children[position])
            } else {
                nodes.append(Node())
                nodes[node].bytes.insert(byte, at: position)
                nodes[node].children.insert(Int32(nodes.count - 1), at: position)
                node = nodes.count - 1
            }
        }
        nodes[node].values.append(value)
    }

    /// The trie in flat buffers, for lookups.
    func frozen() -> Frozen {
        Frozen(self)
    }

    /// The position of `byte` in sorted `bytes`, or where it would go.
    fileprivate static func search<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, _ byte: UInt8) -> (Int, Bool)
    where Bytes.Index == Int {
        var low = bytes.startIndex
        var high = bytes.endIndex
        while low < high {
            let middle = (low + high) / 2
            if bytes[middle] < byte { low = middle + 1 } else { high = middle }
        }
        return (low - bytes.startIndex, low < bytes.endIndex && bytes[low] == byte)
    }
}

extension ByteTrie {
    /// A built trie, path-compressed into flat buffers: a chain of single-child nodes (most of a long
    /// prefix) is one edge whose label is compared byte by byte, not one search per byte.
    struct Frozen: Sendable {
        /// Per node: the first bytes of its edges (sorted), the nodes they lead to, and its values.
        private let firstBytes: FlatLists<UInt8>
        private let targets: FlatLists<Int32>
        private let values: FlatLists<Value>
        /// Per node: the label of the edge leading to it (empty for the root).
        private let labels: FlatLists<UInt8>
        let isEmpty: Bool

        fileprivate init(_ trie: ByteTrie) {
            var nodes: [(label: [UInt8], edges: [(UInt8, Int32)], values: [Value])] = [([], [], trie.nodes[0].values)]
            var pending = [(built: 0, original: 0)]
            while let (built, original) = pending.popLast() {
                for (byte, child) in zip(trie.nodes[original].bytes, trie.nodes[original].children) {
                    // Follow the chain of nodes with one child and no values.
                    var label = [byte]
                    var end = Int(child)
                    while trie.nodes[end].values.isEmpty, trie.nodes[end].children.count == 1 {
                        label.append(trie.nodes[end].bytes[0])
                        end = Int(trie.nodes[end].children[0])
                    }
                    nodes.append((label, [], trie.nodes[end].values))
                    nodes[built].edges.append((byte, Int32(nodes.count - 1)))
                    pending.append((nodes.count - 1, end))
                }
            }
            firstBytes = FlatLists(nodes.map { $0.edges.map(\.0) })
            targets = FlatLists(nodes.map { $0.edges.map(\.1) })
            values = FlatLists(nodes.map(\.values))
            labels = FlatLists(nodes.map(\.label))
            isEmpty = trie.isEmpty
        }

        /// Calls `visit` with the values of every stored key that is a prefix of `key` (the empty key too).
        func forEachPrefix(of key: some Sequence<UInt8>, _ visit: (Value) -> Void) {
            values[0].forEach(visit)
            var bytes = key.makeIterator()
            var node = 0
            while let byte = bytes.next() {
                let (position, found) = ByteTrie.search(firstBytes[node], byte)
                guard found else { return }
                node = Int(targets[node][position])
                for expected in labels[node].dropFirst() {
                    guard bytes.next() == expected else { return }
                }
                values[node].forEach(visit)
            }
        }
    }
}
