/// Which functions take a topic: the declared functions and the discovered ones, indexed for one
/// ``TopicMatching``.
///
/// Immutable: discovery builds a new map and swaps it in. Lookups cost the same with ten functions or
/// thousands: literal topics are found in a hash table of their bytes (folded for `ignore-case`), and
/// wildcard topics in a trie of their literal prefixes, so only patterns that can match are tried.
public struct SubscriptionMap: Sendable {
    /// Every function, each address once (the first spec given for it), in the order given.
    public let functions: [FunctionSpec]
    public let matching: TopicMatching
    /// Literal topic bytes (folded for ignore-case) to positions in ``functions``, ascending.
    private let literals: ByteStringTable
    /// Wildcard topics with a star, and the function subscribing to each.
    private let patterns: [(pattern: WildcardPattern, function: Int32)]
    /// Positions in ``patterns`` by their literal prefix.
    private let patternsByPrefix: ByteTrie<Int32>.Frozen
    private let positionByAddress: [String: Int]
    private let positionsByName: [String: [Int]]

    /// Indexes `functions`.
    ///
    /// - Parameters:
    ///   - functions: Declared functions first, then discovered ones: when two share an address the
    ///     first wins, so a route file's declaration overrides an annotation.
    ///   - matching: How routed topics are compared with subscribed ones.
    /// - Throws: ``SubscriptionError`` when matching is wildcard and a subscribed topic is not a valid
    ///   pattern (the first such, in function order).
    public init(functions: [FunctionSpec], matching: TopicMatching = .exact) throws(SubscriptionError) {
        var unique: [FunctionSpec] = []
        var positionByAddress: [String: Int] = [:]
        for function in functions where positionByAddress[function.address] == nil {
            positionByAddress[function.address] = unique.count
            unique.append(function)
        }
        var literals: [[UInt8]: [Int32]] = [:]
        var patterns: [(pattern: WildcardPattern, function: Int32)] = []
        var trie = ByteTrie<Int32>()
        for (position, function) in unique.enumerated() {
            for topic in function.topics {
                switch matching {
                case .exact: literals[Array(topic.utf8), default: []].appendOnce(Int32(position))
                case .ignoreCase: literals[CaseFolding.foldedUTF8(topic), default: []].appendOnce(Int32(position))
                case .wildcard:
                    let pattern = try Self.pattern(topic, of: function)
                    if pattern.isLiteral {
                        literals[pattern.segments[0], default: []].appendOnce(Int32(position))
                    } else {
                        trie.insert(pattern.segments[0], Int32(patterns.count))
                        patterns.append((pattern, Int32(position)))
                    }
                }
            }
        }
        self.functions = unique
        self.matching = matching
        self.literals = ByteStringTable(literals)
        self.patterns = patterns
        self.patternsByPrefix = trie.frozen()
        self.positionByAddress = positionByAddress
        self.positionsByName = Dictionary(grouping: unique.indices, by: { unique[$0].name })
    }

    /// No functions.
    public static let empty = SubscriptionMap()

    private init() {
        functions = []
        matching = .exact
        literals = ByteStringTable([:])
        patterns = []
        patternsByPrefix = ByteTrie<Int32>().frozen()
        positionByAddress = [:]
        positionsByName = [:]
    }

    private static func pattern(_ topic: String, of function: FunctionSpec) throws(SubscriptionError) -> WildcardPattern {
        do {
            return try WildcardPattern(topic)
        } catch {
            throw SubscriptionError(
                .invalidWildcard,
                "function \(function.address) subscribes to \(NormalizationError.quote(topic)), which is not a valid wildcard: \(error.message)"
                    + (function.location.map { " (declared at \($0))" } ?? ""),
                function: function.address, topic: topic)
        }
    }

    /// Every function subscribed to `topic`, each once, in the map's order.
    public func functions(for topic: String) -> [FunctionSpec] {
        positions(for: topic).map { functions[$0] }
    }

    /// Positions in ``functions`` of the functions subscribed to `topic`, ascending.
    func positions(for topic: String) -> [Int] {
        var key = matching == .ignoreCase ? CaseFolding.foldedUTF8(topic) : Array(topic.utf8)
        return key.withUnsafeMutableBufferPointer { mutableKey in
            let key = UnsafeBufferPointer(mutableKey)
            var found = literals[key].map { $0.map(Int.init) } ?? []
            guard matching == .wildcard, !patterns.isEmpty else { return found }
            let literalCount = found.count
            patternsByPrefix.forEachPrefix(of: key) { index in
                let (pattern, function) = patterns[Int(index)]
                if pattern.matches(key) { found.append(Int(function)) }
            }
            guard found.count > literalCount else { return found }
            // A function may match through several patterns and a literal: once each, in map order.
            return Array(Set(found)).sorted()
        }
    }

    /// The function invoked by name: its address (`name.namespace`, or `name` without a namespace), or
    /// a bare name that exactly one function has.
    public func function(named address: String) -> FunctionSpec? {
        if let position = positionByAddress[address] { return functions[position] }
        guard let positions = positionsByName[address], positions.count == 1 else { return nil }
        return functions[positions[0]]
    }
}

extension Array where Element: Equatable {
    /// Appends `element` unless it is already the last one (positions arrive ascending).
    fileprivate mutating func appendOnce(_ element: Element) {
        if last != element { append(element) }
    }
}
