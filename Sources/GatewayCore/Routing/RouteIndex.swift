/// Finds the routes worth evaluating for an envelope, at a cost that follows the distinct fields the
/// table tests and the predicates an event satisfies, not the number of routes.
///
/// Compilation turns each route's `when` into alternatives (conjuncts) of positive predicates, the
/// tests that can only hold on a present value of a given kind (equal, prefix, range...). Equal tests
/// on one field become one predicate, shared by every route that uses them. Each conjunct is filed
/// under its rarest predicate (its anchor). Matching asks each field's index which predicates the
/// event's values satisfy, takes the conjuncts anchored on them, keeps those whose other predicates
/// fired too, and hands their routes to the ``ConditionEvaluator``, which decides: negations, `none`,
/// and array consistency are checked there. Routes with an alternative of no positive predicate (only
/// `exists: false`, say) are evaluated for every event.
struct RouteIndex: Sendable {
    /// How many alternatives a route's `any` groups may expand to before the index stops splitting them
    /// (it then files the route under its top-level tests only, which is still exact after evaluation).
    static let maximumAlternatives = 256

    private let fields: [FieldIndex]
    private let unmanagedFields: [Unmanaged<FieldIndex>]
    /// Per conjunct: its route's position and its predicates (ascending).
    private let conjunctRoutes: [Int32]
    private let conjunctPredicates: FlatLists<Int32>
    /// Per conjunct, when it is the whole route and the index decides each of its tests exactly: the
    /// positions in `fields` of its positive tests, and of its `exists: false` tests. Such a route
    /// matches without evaluation when the former hold no array values and the latter hold no value.
    private let isDirect: [Bool]
    private let presentSlots: FlatLists<Int32>
    private let absentSlots: FlatLists<Int32>
    /// Per predicate: the conjuncts anchored on it.
    private let anchored: FlatLists<Int32>
    /// Routes evaluated for every event, ascending.
    private let always: [Int32]

    init(routes: [Route]) throws(RouteErrors) {
        var compiler = Compiler()
        var always: [Int32] = []
        var conjunctRoutes: [Int32] = []
        var conjunctPredicates: [[Int32]] = []
        var directPaths: [(present: [FieldPath], absent: [FieldPath])?] = []
        for (position, route) in routes.enumerated() where route.enabled {
            let conjuncts = compiler.conjuncts(route.condition)
            if conjuncts.contains(where: \.isEmpty) {
                always.append(Int32(position))
                continue
            }
            let direct = conjuncts.count == 1 ? Self.directPaths(route.condition) : nil
            // Absent-field tests read their field's values from the index too.
            direct?.absent.forEach { compiler.register($0) }
            for predicates in conjuncts {
                conjunctRoutes.append(Int32(position))
                conjunctPredicates.append(predicates)
                directPaths.append(direct)
            }
        }
        fields = compiler.fields.map(FieldIndex.init)
        unmanagedFields = fields.map(Unmanaged.passUnretained)
        let slots = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1.path, $0) })
        self.always = always
        self.conjunctRoutes = conjunctRoutes
        self.conjunctPredicates = FlatLists(conjunctPredicates)
        isDirect = directPaths.map { $0 != nil }
        presentSlots = FlatLists(directPaths.map { ($0?.present ?? []).map { Int32(slots[$0]!) } })
        absentSlots = FlatLists(directPaths.map { ($0?.absent ?? []).map { Int32(slots[$0]!) } })
        anchored = FlatLists(Self.anchors(conjunctPredicates, predicateCount: compiler.predicateCount))
    }

    /// The conjuncts filed under each predicate: each conjunct under its rarest one.
    private static func anchors(_ conjuncts: [[Int32]], predicateCount: Int) -> [[Int32]] {
        var uses = [Int](repeating: 0, count: predicateCount)
        for predicates in conjuncts { for predicate in predicates { uses[Int(predicate)] += 1 } }
        var anchored = [[Int32]](repeating: [], count: predicateCount)
        for (conjunct, predicates) in conjuncts.enumerated() {
            let anchor = predicates.min { uses[Int($0)] < uses[Int($1)] }!
            anchored[Int(anchor)].append(Int32(conjunct))
        }
        return anchored
    }

    /// The paths of a route that is one exact field test or an `all` of them and `exists: false`
    /// tests, or nil.
    private static func directPaths(_ condition: Condition) -> (present: [FieldPath], absent: [FieldPath])? {
        let members: [Condition] = if case .all(let members, _) = condition { members } else { [condition] }
        var present: [FieldPath] = []
        var absent: [FieldPath] = []
        for member in members {
            guard case .field(let field) = member else { return nil }
            if case .exists(false) = field.test {
                absent.append(field.path)
            } else if isExact(field.test) {
                present.append(field.path)
            } else {
                return nil
            }
        }
        return present.isEmpty ? nil : (present, absent)
    }

    /// Tests whose index entries hold exactly when the test does.
    private static func isExact(_ test: FieldTest) -> Bool {
        switch test {
        case .equals, .prefix, .suffix, .wildcard, .equalsIgnoreCase, .numeric, .cidr, .exists(true): true
        case .anyOf(let alternatives): alternatives.allSatisfy(isExact)
        case .allOf, .not, .exists(false): false
        }
    }

    /// The routes of `envelope` that match for sure, and those that still need evaluation, each ascending.
    func candidates(_ envelope: Envelope) -> (matched: [Int32], unsure: [Int32]) {
        let fired = self.fired(envelope)
        var matched: [Int32] = []
        var unsure = always
        var previous: Int32 = -1
        for predicate in fired where predicate != previous {
            previous = predicate
            for conjunct in anchored[Int(predicate)] where Self.allFired(conjunctPredicates[Int(conjunct)], fired) {
                let conjunct = Int(conjunct)
                guard isDirect[conjunct] else {
                    unsure.append(conjunctRoutes[conjunct])
                    continue
                }
                // A present value fails `exists: false` whatever the arrays: the route cannot match.
                guard absentSlots[conjunct].allSatisfy({ fields[Int($0)].shape(in: envelope).absent }) else { continue }
                if presentSlots[conjunct].allSatisfy({ fields[Int($0)].shape(in: envelope).scalar }) {
                    matched.append(conjunctRoutes[conjunct])
                } else {
                    unsure.append(conjunctRoutes[conjunct])
                }
            }
        }
        return (Self.ascendingUnique(matched), Self.ascendingUnique(unsure))
    }

    /// Every predicate the envelope satisfies, ascending, maybe repeated.
    private func fired(_ envelope: Envelope) -> [Int32] {
        var fired: [Int32] = []
        fired.reserveCapacity(32)
        // Unmanaged: the array keeps the indexes alive; a loop variable would retain each one.
        for field in unmanagedFields { field._withUnsafeGuaranteedRef { $0.fire(in: envelope, into: &fired) } }
        fired.sort()
        return fired
    }

    /// Sorted, without repeats.
    private static func ascendingUnique(_ routes: [Int32]) -> [Int32] {
        guard routes.count > 1 else { return routes }
        var routes = routes
        routes.sort()
        var kept = 1
        for position in 1..<routes.count where routes[position] != routes[kept - 1] {
            routes[kept] = routes[position]
            kept += 1
        }
        routes.removeLast(routes.count - kept)
        return routes
    }

    /// Whether every predicate (ascending) is in `fired` (ascending, maybe repeated).
    private static func allFired(_ predicates: UnsafeBufferPointer<Int32>, _ fired: [Int32]) -> Bool {
        var cursor = 0
        for predicate in predicates {
            while cursor < fired.count, fired[cursor] < predicate { cursor += 1 }
            guard cursor < fired.count, fired[cursor] == predicate else { return false }
        }
        return true
    }
}

extension RouteIndex {
    /// Builds predicates and field indexes while routes are turned into conjuncts.
    fileprivate struct Compiler {
        var fields: [FieldIndex.Builder] = []
        private var fieldPositions: [FieldPath: Int] = [:]
        private var predicates: [PredicateKey: Int32] = [:]
        var predicateCount: Int { predicates.count }

        private struct PredicateKey: Hashable {
            var path: FieldPath
            var entries: [FieldIndex.Entry]
        }

        /// The route's alternatives as sets of predicates; an empty set means "no positive test".
        mutating func conjuncts(_ condition: Condition) -> [[Int32]] {
            if let expanded = expand(condition) { return expanded.map { Array(Set($0)).sorted() } }
            // Too many alternatives: keep the top-level tests, which every alternative shares.
            let members: [Condition] = if case .all(let members, _) = condition { members } else { [condition] }
            let shared = members.compactMap { member -> Int32? in
                guard case .field(let field) = member else { return nil }
                return predicate(field)
            }
            return [Array(Set(shared)).sorted()]
        }

        /// Disjunctive normal form over positive predicates, or nil past ``RouteIndex/maximumAlternatives``.
        private mutating func expand(_ condition: Condition) -> [[Int32]]? {
            switch condition {
            case .field(let field):
                return [predicate(field).map { [$0] } ?? []]
            case .all(let members, _):
                var product: [[Int32]] = [[]]
                for member in members {
                    guard let alternatives = expand(member) else { return nil }
                    product = product.flatMap { left in alternatives.map { left + $0 } }
                    guard product.count <= RouteIndex.maximumAlternatives else { return nil }
                }
                return product
            case .any(let members, _):
                var union: [[Int32]] = []
                for member in members {
                    guard let alternatives = expand(member) else { return nil }
                    // An alternative without positive tests makes the whole group unindexable.
                    if alternatives.contains(where: \.isEmpty) { return [[]] }
                    union += alternatives
                    guard union.count <= RouteIndex.maximumAlternatives else { return nil }
                }
                return union
            case .none:
                return [[]]
            }
        }

        /// Makes `path` an indexed field (so its values are read once per event) even without tests.
        mutating func register(_ path: FieldPath) {
            _ = position(path)
        }

        private mutating func position(_ path: FieldPath) -> Int {
            if let position = fieldPositions[path] { return position }
            fields.append(FieldIndex.Builder(path: path))
            fieldPositions[path] = fields.count - 1
            return fields.count - 1
        }

        /// The predicate of a positive test, registered in its field's index; nil for other tests.
        private mutating func predicate(_ field: FieldCondition) -> Int32? {
            guard let entries = Self.entries(field.test), !entries.isEmpty else { return nil }
            let key = PredicateKey(path: field.path, entries: entries)
            if let existing = predicates[key] { return existing }
            let id = Int32(predicates.count)
            predicates[key] = id
            let position = position(field.path)
            for entry in entries { fields[position].add(entry, id) }
            return id
        }

        /// The index entries under which a value satisfying `test` is always found; nil when the test
        /// can hold without a present value of a known kind.
        static func entries(_ test: FieldTest) -> [FieldIndex.Entry]? {
            switch test {
            case .equals(.string(let text)): return [.string(Array(text.utf8))]
            case .equals(.number(let number)): return [.number(number)]
            case .equals(.bool(let flag)): return [.bool(flag)]
            case .equals(.null): return [.null]
            case .prefix(let prefix, let ignoreCase):
                return [.prefix(ignoreCase ? CaseFolding.foldedUTF8(prefix) : Array(prefix.utf8), folded: ignoreCase)]
            case .suffix(let suffix, let ignoreCase):
                return [.suffix(ignoreCase ? CaseFolding.foldedUTF8(suffix) : Array(suffix.utf8), folded: ignoreCase)]
            case .wildcard(let pattern):
                return pattern.isLiteral ? [.string(pattern.segments[0])] : [.wildcard(pattern)]
            case .equalsIgnoreCase(let text): return [.folded(CaseFolding.foldedUTF8(text))]
            case .not: return [.present]
            case .numeric(let range): return [.range(range)]
            case .exists(let present): return present ? [.present] : nil
            case .cidr(let network): return [.cidr(network)]
            case .anyOf(let alternatives):
                var all: [FieldIndex.Entry] = []
                for alternative in alternatives {
                    guard let entries = entries(alternative) else { return nil }
                    all += entries
                }
                return all
            case .allOf(let tests):
                // Any one member is necessary; the most selective narrows the most.
                return tests.compactMap(entries).min { selectivity($0) < selectivity($1) }
            }
        }

        /// Lower is more selective.
        private static func selectivity(_ entries: [FieldIndex.Entry]) -> Int {
            entries.map { entry in
                switch entry {
                case .string, .number, .bool, .null, .folded: 0
                case .prefix, .suffix, .cidr: 1
                case .wildcard: 2
                case .range: 3
                case .present: 4
                }
            }.max() ?? 4
        }
    }
}
