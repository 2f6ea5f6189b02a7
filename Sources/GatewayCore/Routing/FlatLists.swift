/// Many short lists stored back to back in one buffer, immutable once built.
///
/// The compiled index keeps its adjacency lists (predicates per conjunct, conjuncts per predicate,
/// trie edges...) this way: reading a list in the matching path costs no allocation and no reference
/// count, where an array of arrays would retain and release an inner array at every read.
final class FlatLists<Element: BitwiseCopyable>: @unchecked Sendable {
    // Unchecked: both buffers are written in `init` only and read-only afterwards.
    private let starts: UnsafeMutableBufferPointer<Int>
    private let elements: UnsafeMutableBufferPointer<Element>

    init(_ lists: some Collection<some Collection<Element>>) {
        starts = .allocate(capacity: lists.count + 1)
        elements = .allocate(capacity: lists.reduce(0) { $0 + $1.count })
        var end = 0
        for (position, list) in lists.enumerated() {
            starts[position] = end
            for element in list {
                elements[end] = element
                end += 1
            }
        }
        starts[lists.count] = end
    }

    deinit {
        starts.deallocate()
        elements.deallocate()
    }

    var count: Int { starts.count - 1 }

    /// List `position`; valid while this object lives.
    @inline(__always)
    subscript(position: Int) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(rebasing: elements[starts[position]..<starts[position + 1]])
    }
}
