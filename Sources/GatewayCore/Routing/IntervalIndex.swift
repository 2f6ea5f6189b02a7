/// Numeric ranges over decimals, and a lookup of every range containing a value in logarithmic time
/// plus the number of ranges found (a segment tree over the ranges' distinct bounds).
struct IntervalIndex<Value: BitwiseCopyable & Sendable>: Sendable {
    /// Distinct bounds, ascending. Slot 2i+1 is the point bounds[i]; slot 2i the open gap below it;
    /// slot 2k the gap above the last bound.
    private let bounds: [DecimalNumber]
    /// Segment tree over the slots: the values whose range covers each node's slots entirely.
    private let tree: FlatLists<Value>
    private let slotCount: Int

    init(_ ranges: [(NumericRange, Value)]) {
        var points = Set<DecimalNumber>()
        for (range, _) in ranges {
            if let lower = range.lower { points.insert(lower) }
            if let upper = range.upper { points.insert(upper) }
        }
        let bounds = points.sorted()
        let slotCount = 2 * bounds.count + 1
        var tree = [[Value]](repeating: [], count: 4 * slotCount)
        for (range, value) in ranges {
            let low = range.lower.map { Self.pointSlot($0, bounds) + (range.lowerInclusive ? 0 : 1) } ?? 0
            let high = range.upper.map { Self.pointSlot($0, bounds) - (range.upperInclusive ? 0 : 1) } ?? slotCount - 1
            guard low <= high else { continue }
            Self.insert(value, low, high, node: 1, from: 0, to: slotCount - 1, into: &tree)
        }
        self.bounds = bounds
        self.slotCount = slotCount
        self.tree = FlatLists(tree)
    }

    /// Calls `visit` with every value whose range contains `number`.
    func forEachContaining(_ number: DecimalNumber, _ visit: (Value) -> Void) {
        let slot = slot(of: number)
        var node = 1
        var from = 0
        var to = slotCount - 1
        while true {
            tree[node].forEach(visit)
            guard from < to else { return }
            let middle = (from + to) / 2
            if slot <= middle {
                node = 2 * node
                to = middle
            } else {
                node = 2 * node + 1
                from = middle + 1
            }
        }
    }

    private static func pointSlot(_ bound: DecimalNumber, _ bounds: [DecimalNumber]) -> Int {
        2 * lowerIndex(bound, bounds) + 1
    }

    /// The slot of a value: its bound's point slot, or the gap it falls in.
    private func slot(of number: DecimalNumber) -> Int {
        let index = Self.lowerIndex(number, bounds)
        return index < bounds.count && bounds[index] == number ? 2 * index + 1 : 2 * index
    }

    /// The number of bounds below `number`.
    private static func lowerIndex(_ number: DecimalNumber, _ bounds: [DecimalNumber]) -> Int {
        var low = 0
        var high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if bounds[middle] < number { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func insert(
        _ value: Value, _ low: Int, _ high: Int, node: Int, from: Int, to: Int, into tree: inout [[Value]]
    ) {
        if low <= from, to <= high {
            tree[node].append(value)
            return
        }
        let middle = (from + to) / 2
        if low <= middle { insert(value, low, high, node: 2 * node, from: from, to: middle, into: &tree) }
        if high > middle { insert(value, low, high, node: 2 * node + 1, from: middle + 1, to: to, into: &tree) }
    }
}
