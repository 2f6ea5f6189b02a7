/// An envelope's extension attributes.
///
/// Events carry a handful of extensions, so they sit in a small array in the order they were set:
/// building one costs no hashing or sorting. Iteration is by name (the order the JSON form writes
/// them in), and equality ignores the order they were set in.
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
            index(of: name).map { entries[$0].value }
        }
        set {
            let index = index(of: name)
            switch (index, newValue) {
            case (let index?, let value?): entries[index].value = value
            case (let index?, nil): entries.remove(at: index)
            case (nil, let value?):
                // Envelopes carry up to a dozen extensions: allocate once for all of them.
                if entries.isEmpty { entries.reserveCapacity(12) }
                entries.append(Entry(name: name, value: value))
            case (nil, nil): break
            }
        }
    }

    /// The position of extension `name`. Comparing lengths first skips the slow path of String == for
    /// most names (every envelope sets a dozen extensions, each looked up first).
    private func index(of name: String) -> Int? {
        let length = name.utf8.count
        return entries.firstIndex { $0.name.utf8.count == length && $0.name == name }
    }

    /// A copy with room for `capacity` extensions, so that adding them does not reallocate.
    func reserving(_ capacity: Int) -> Self {
        var copy = Self()
        copy.entries.reserveCapacity(capacity)
        copy.entries.append(contentsOf: entries)
        return copy
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    /// The names, sorted.
    public var keys: [String] { sorted.map(\.name) }

    /// The extensions sorted by name (byte order of their UTF-8).
    public func makeIterator() -> some IteratorProtocol<Element> {
        sorted.lazy.map { (name: $0.name, value: $0.value) }.makeIterator()
    }

    private var sorted: [Entry] {
        entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.entries.count == rhs.entries.count && lhs.entries.allSatisfy { rhs[$0.name] == $0.value }
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with ==.
        hasher.combine(entries.reduce(0) { $0 ^ $1.hashValue })
    }
}
