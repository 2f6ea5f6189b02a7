/// A map from keys to lists of predicates, the lists kept in one ``FlatLists`` buffer so that a
/// lookup neither allocates nor retains a list.
struct KeyedLists<Key: Hashable & Sendable>: Sendable {
    private let positions: [Key: Int]
    private let lists: FlatLists<Int32>

    init(_ map: [Key: [Int32]]) {
        let entries = Array(map)
        positions = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.key, $0) })
        lists = FlatLists(entries.map(\.value))
    }

    var isEmpty: Bool { positions.isEmpty }

    subscript(key: Key) -> UnsafeBufferPointer<Int32>? {
        positions[key].map { lists[$0] }
    }
}
