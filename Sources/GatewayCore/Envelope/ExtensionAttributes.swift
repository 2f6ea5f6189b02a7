/// An envelope's extension attributes, kept sorted by name.
///
/// Events carry a handful of extensions, so a sorted array beats a hash table: building one costs no
/// hashing, and writing them in name order (as the JSON form does) costs no sort.
public struct ExtensionAttributes: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: ExtensionValue)

    private var names: [String] = []
    private var values: [ExtensionValue] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, ExtensionValue)...) {
        for (name, value) in elements { self[name] = value }
    }

    /// The value of extension `name`; setting nil removes it.
    public subscript(name: String) -> ExtensionValue? {
        get {
            let index = position(of: name)
            return index < names.count && names[index] == name ? values[index] : nil
        }
        set {
            let index = position(of: name)
            let present = index < names.count && names[index] == name
            switch (present, newValue) {
            case (true, let value?): values[index] = value
            case (true, nil):
                names.remove(at: index)
                values.remove(at: index)
            case (false, let value?):
                names.insert(name, at: index)
                values.insert(value, at: index)
            case (false, nil): break
            }
        }
    }

    public var count: Int { names.count }
    public var isEmpty: Bool { names.isEmpty }
    /// The names, sorted.
    public var keys: [String] { names }

    public func makeIterator() -> some IteratorProtocol<Element> {
        zip(names, values).lazy.map { (name: $0, value: $1) }.makeIterator()
    }

    /// Where `name` is or would be inserted (binary search over the sorted names).
    private func position(of name: String) -> Int {
        var low = 0
        var high = names.count
        while low < high {
            let middle = (low + high) / 2
            if names[middle] < name { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
