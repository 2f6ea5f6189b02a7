/// An envelope's extension attributes, kept sorted by name.
///
/// Events carry a handful of extensions, so a sorted array beats a hash table: building one costs no
/// hashing, and writing them in name order (as the JSON form does) costs no sort.
public struct ExtensionAttributes: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: ExtensionValue)

    private var entries: [Entry] = []

    private struct Entry: Sendable, Hashable {
        var name: String
        var value: ExtensionValue
    }

    public init() {}

    public init(dictionaryLiteral elements: (String, ExtensionValue)...) {
        for (name, value) in elements { self[name] = value }
    }

    /// The value of extension `name`; setting nil removes it.
    public subscript(name: String) -> ExtensionValue? {
        get {
            let index = position(of: name)
            return index < entries.count && entries[index].name == name ? entries[index].value : nil
        }
        set {
            let index = position(of: name)
            let present = index < entries.count && entries[index].name == name
            switch (present, newValue) {
            case (true, let value?): entries[index].value = value
            case (true, nil): entries.remove(at: index)
            case (false, let value?):
                // Envelopes carry up to a dozen extensions: allocate once for all of them.
                if entries.isEmpty { entries.reserveCapacity(12) }
                entries.insert(Entry(name: name, value: value), at: index)
            case (false, nil): break
            }
        }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    /// The names, sorted.
    public var keys: [String] { entries.map(\.name) }

    public func makeIterator() -> some IteratorProtocol<Element> {
        entries.lazy.map { (name: $0.name, value: $0.value) }.makeIterator()
    }

    /// Byte-wise order of the UTF-8 names (the order the JSON form writes them in).
    private static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// Where `name` is or would be inserted (binary search over the sorted names).
    private func position(of name: String) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if Self.precedes(entries[middle].name, name) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
