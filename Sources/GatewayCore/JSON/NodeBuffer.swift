/// The growing list of nodes the parser writes, in memory it manages itself and hands to the document.
///
/// An array checked its uniqueness and capacity on every write of the parser (several per value), and the
/// document then copied it into a buffer of its own; this writes in place and is adopted without a copy.
/// The only unsafe storage of parsing: the parser owns it until ``take()`` or ``deallocate()``.
struct NodeBuffer {
    private var base: UnsafeMutablePointer<JSONNode>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 8)
        self.base = .allocate(capacity: self.capacity)
    }

    subscript(index: Int) -> JSONNode {
        unsafeAddress {
            precondition(index >= 0 && index < count, "node index out of range")
            return UnsafePointer(base + index)
        }
        nonmutating unsafeMutableAddress {
            precondition(index >= 0 && index < count, "node index out of range")
            return base + index
        }
    }

    mutating func append(_ node: JSONNode) {
        if count == capacity { grow() }
        (base + count).initialize(to: node)
        count += 1
    }

    /// The nodes, for the document to own (and deallocate).
    func take() -> UnsafeMutableBufferPointer<JSONNode> {
        UnsafeMutableBufferPointer(start: base, count: count)
    }

    /// Frees the nodes when parsing failed.
    func deallocate() {
        base.deallocate()
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<JSONNode>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }
}
