/// The index of the tests on one field path: given a value, the predicates it satisfies, found by
/// hash lookups and trie walks rather than by trying each test.
///
/// Built by ``Builder``, then immutable: a class of constants, so matching reads it from many tasks
/// without copying its tables (a retain each) or checking exclusive access (a runtime call each).
final class FieldIndex: Sendable {
    /// What a value must be for a predicate to fire; a predicate may have several (a list of values).
    enum Entry: Hashable, Sendable {
        /// Exact UTF-8 bytes (no Unicode normalization, as the evaluator compares).
        case string([UInt8])
        case number(DecimalNumber)
        case bool(Bool)
        case null
        /// Case-folded UTF-8 bytes.
        case folded([UInt8])
        case prefix([UInt8], folded: Bool)
        case suffix([UInt8], folded: Bool)
        case wildcard(WildcardPattern)
        case range(NumericRange)
        case present
        case cidr(CIDR)
    }

    let path: FieldPath
    /// How to read the path from an envelope.
    let accessor: FieldAccessor
    private let strings: ByteStringTable
    private let numbers: KeyedLists<DecimalNumber>
    private let bools: KeyedLists<Bool>
    private let nulls: [Int32]
    private let folded: ByteStringTable
    private let prefixes: ByteTrie<Int32>.Frozen
    private let foldedPrefixes: ByteTrie<Int32>.Frozen
    /// Keyed by the reversed suffix.
    private let suffixes: ByteTrie<Int32>.Frozen
    private let foldedSuffixes: ByteTrie<Int32>.Frozen
    /// Wildcards by their literal start, by their reversed literal end, or neither.
    private let wildcardsByStart: ByteTrie<Int>.Frozen
    private let wildcardsByEnd: ByteTrie<Int>.Frozen
    private let unanchoredWildcards: [Int]
    private let wildcards: [(WildcardPattern, Int32)]
    private let ranges: IntervalIndex<Int32>
    private let present: [Int32]
    /// By address length and prefix length: masked network -> predicates.
    private let networks: [[Int]: [[UInt8]: [Int32]]]
    private let needsFolding: Bool
    private let needsNumbers: Bool
    /// Whether any byte-walking structure has entries (most fields have only exact values).
    private let needsBytes: Bool

    init(_ builder: Builder) {
        path = builder.path
        accessor = FieldAccessor(builder.path)
        strings = ByteStringTable(builder.strings)
        numbers = KeyedLists(builder.numbers)
        bools = KeyedLists(builder.bools)
        nulls = builder.nulls
        folded = ByteStringTable(builder.folded)
        prefixes = builder.prefixes.frozen()
        foldedPrefixes = builder.foldedPrefixes.frozen()
        suffixes = builder.suffixes.frozen()
        foldedSuffixes = builder.foldedSuffixes.frozen()
        let anchored = builder.anchoredWildcards()
        wildcardsByStart = anchored.byStart.frozen()
        wildcardsByEnd = anchored.byEnd.frozen()
        unanchoredWildcards = anchored.unanchored
        wildcards = builder.wildcards
        ranges = IntervalIndex(builder.ranges)
        present = builder.present
        networks = builder.networks
        needsFolding = builder.needsFolding
        needsNumbers = builder.needsNumbers
        needsBytes = !(builder.prefixes.isEmpty && builder.suffixes.isEmpty && builder.wildcards.isEmpty)
        if needsFolding { CaseFolding.prepare() }
    }

    /// Adds to `fired` every predicate the field's values in `envelope` satisfy.
    func fire(in envelope: Envelope, into fired: inout [Int32]) {
        // Attributes and extensions are read in place: collecting them as values would copy each.
        switch accessor {
        case .extensionNamed(let name):
            if let kind = envelope.extensionValue(name) { fire(kind, into: &fired) }
        case .data:
            var values: [FieldValue] = []
            envelope.appendValues(at: accessor, to: &values)
            for value in values { fire(value.kind, into: &fired) }
        default:
            envelope.withAttributeText(accessor) { fire($0, into: &fired) }
        }
    }

    /// Whether the field holds no value but null (what `exists: false` asks), and whether it holds at
    /// most one value, outside any array (when the index's answer for the field is exact).
    func shape(in envelope: Envelope) -> (absent: Bool, scalar: Bool) {
        switch accessor {
        case .extensionNamed(let name): return (envelope.extensions[name] == nil, true)
        case .data:
            let values = envelope.values(at: accessor)
            return (values.allSatisfy(\.isNull), values.count <= 1 && (values.first?.trail.isEmpty ?? true))
        default: return (!envelope.hasAttribute(accessor), true)
        }
    }

    /// Adds to `fired` every predicate `value` satisfies.
    private func fire(_ value: FieldValue.Kind, into fired: inout [Int32]) {
        switch value {
        case .string(let text):
            fire(text, into: &fired)
        case .number(let text):
            fired.append(contentsOf: present)
            if needsNumbers, let number = DecimalNumber(text) { fireNumber(number, into: &fired) }
        case .bool(let flag):
            fired.append(contentsOf: present)
            if !bools.isEmpty, let hits = bools[flag] { fired.append(contentsOf: hits) }
        case .null:
            fired.append(contentsOf: nulls)
        case .structure:
            fired.append(contentsOf: present)
        }
    }

    /// Adds to `fired` every predicate text satisfies.
    private func fire(_ text: String, into fired: inout [Int32]) {
        fired.append(contentsOf: present)
        if !strings.isEmpty || needsBytes { fireBytes(text, into: &fired) }
        if needsFolding { fireFolded(text, into: &fired) }
        if needsNumbers, let number = DecimalNumber(text) { fireNumber(number, into: &fired) }
        if !networks.isEmpty, let address = CIDR.address(text) { fireAddress(address, into: &fired) }
    }

    private func fireBytes(_ text: String, into fired: inout [Int32]) {
        text.withUTF8Buffer { bytes in
            if !strings.isEmpty, let hits = strings[bytes] { fired.append(contentsOf: hits) }
            guard needsBytes else { return }
            prefixes.forEachPrefix(of: bytes) { fired.append($0) }
            suffixes.forEachPrefix(of: bytes.reversed()) { fired.append($0) }
            wildcardsByStart.forEachPrefix(of: bytes) { fireWildcard($0, bytes, &fired) }
            wildcardsByEnd.forEachPrefix(of: bytes.reversed()) { fireWildcard($0, bytes, &fired) }
            for position in unanchoredWildcards { fireWildcard(position, bytes, &fired) }
        }
    }

    private func fireWildcard(_ position: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ fired: inout [Int32]) {
        let (pattern, predicate) = wildcards[position]
        if pattern.matches(bytes) { fired.append(predicate) }
    }

    private func fireFolded(_ text: String, into fired: inout [Int32]) {
        text.withUTF8Buffer { bytes in
            guard bytes.allSatisfy({ $0 < 0x80 }) else {
                return CaseFolding.foldedUTF8(text).withUnsafeBufferPointer { fireFolded($0, into: &fired) }
            }
            // ASCII folds byte by byte, into a stack buffer.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { folded in
                for (position, byte) in bytes.enumerated() { folded[position] = CaseFolding.lowercase(byte) }
                fireFolded(UnsafeBufferPointer(folded), into: &fired)
            }
        }
    }

    private func fireFolded(_ bytes: UnsafeBufferPointer<UInt8>, into fired: inout [Int32]) {
        if !folded.isEmpty, let hits = folded[bytes] { fired.append(contentsOf: hits) }
        foldedPrefixes.forEachPrefix(of: bytes) { fired.append($0) }
        foldedSuffixes.forEachPrefix(of: bytes.reversed()) { fired.append($0) }
    }

    private func fireNumber(_ number: DecimalNumber, into fired: inout [Int32]) {
        if let hits = numbers[number] { fired.append(contentsOf: hits) }
        ranges.forEachContaining(number) { fired.append($0) }
    }

    private func fireAddress(_ address: [UInt8], into fired: inout [Int32]) {
        for (key, table) in networks {
            var candidate = address
            if key[0] == 4, address.count == 16, address[0..<12].elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) {
                candidate = Array(address[12...])
            }
            guard candidate.count == key[0], let hits = table[CIDR.mask(candidate, key[1])] else { continue }
            fired.append(contentsOf: hits)
        }
    }
}

extension FieldIndex {
    /// Collects a field's entries while the table compiles.
    struct Builder {
        let path: FieldPath
        var strings: [[UInt8]: [Int32]] = [:]
        var numbers: [DecimalNumber: [Int32]] = [:]
        var bools: [Bool: [Int32]] = [:]
        var nulls: [Int32] = []
        var folded: [[UInt8]: [Int32]] = [:]
        var prefixes = ByteTrie<Int32>()
        var foldedPrefixes = ByteTrie<Int32>()
        /// Keyed by the reversed suffix.
        var suffixes = ByteTrie<Int32>()
        var foldedSuffixes = ByteTrie<Int32>()
        var wildcards: [(WildcardPattern, Int32)] = []
        var ranges: [(NumericRange, Int32)] = []
        var present: [Int32] = []
        /// By address length and prefix length: masked network -> predicates.
        var networks: [[Int]: [[UInt8]: [Int32]]] = [:]
        var needsFolding = false
        var needsNumbers = false

        init(path: FieldPath) {
            self.path = path
        }

        /// The wildcards (by position) under their literal start, under their reversed literal end, or
        /// neither (`*...*`).
        ///
        /// Each goes under whichever of its ends fewer patterns share, so that a value meets only the
        /// patterns that may match it: `urn:smn:*:queue1` ... `urn:smn:*:queue200` all start alike
        /// (every SMN source would try all 200) but end apart.
        func anchoredWildcards() -> (byStart: ByteTrie<Int>, byEnd: ByteTrie<Int>, unanchored: [Int]) {
            var starts: [[UInt8]: Int] = [:]
            var ends: [[UInt8]: Int] = [:]
            for (pattern, _) in wildcards {
                starts[pattern.segments[0], default: 0] += 1
                ends[pattern.segments[pattern.segments.count - 1], default: 0] += 1
            }
            var byStart = ByteTrie<Int>()
            var byEnd = ByteTrie<Int>()
            var unanchored: [Int] = []
            for (position, (pattern, _)) in wildcards.enumerated() {
                let first = pattern.segments[0]
                let last = pattern.segments[pattern.segments.count - 1]
                let startShare = first.isEmpty ? Int.max : starts[first, default: 0]
                let endShare = last.isEmpty ? Int.max : ends[last, default: 0]
                if startShare == .max, endShare == .max {
                    unanchored.append(position)
                } else if startShare <= endShare {
                    byStart.insert(first, position)
                } else {
                    byEnd.insert(last.reversed(), position)
                }
            }
            return (byStart, byEnd, unanchored)
        }

        mutating func add(_ entry: Entry, _ predicate: Int32) {
            switch entry {
            case .string(let text): strings[text, default: []].append(predicate)
            case .number(let number):
                numbers[number, default: []].append(predicate)
                needsNumbers = true
            case .bool(let flag): bools[flag, default: []].append(predicate)
            case .null: nulls.append(predicate)
            case .folded(let text):
                folded[text, default: []].append(predicate)
                needsFolding = true
            case .prefix(let bytes, let isFolded):
                if isFolded {
                    foldedPrefixes.insert(bytes, predicate)
                    needsFolding = true
                } else {
                    prefixes.insert(bytes, predicate)
                }
            case .suffix(let bytes, let isFolded):
                if isFolded {
                    foldedSuffixes.insert(bytes.reversed(), predicate)
                    needsFolding = true
                } else {
                    suffixes.insert(bytes.reversed(), predicate)
                }
            case .wildcard(let pattern):
                wildcards.append((pattern, predicate))
            case .range(let range):
                ranges.append((range, predicate))
                needsNumbers = true
            case .present: present.append(predicate)
            case .cidr(let network):
                networks[[network.network.count, network.prefixLength], default: [:]][network.network, default: []].append(predicate)
            }
        }
    }
}
