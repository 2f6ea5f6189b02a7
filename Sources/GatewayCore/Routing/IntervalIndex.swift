/// Numeric ranges over decimals, and a lookup of every range containing a value in logarithmic time
/// plus the number of ranges found (a segment tree over the ranges' distinct bounds).
struct IntervalIndex<Value: Sendable>: Sendable {
    /// Distinct bounds, ascending. Slot 2i+1 is the point bounds[i]; slot 2i the open gap below it;
    /// slot 2k the gap above the last bound.
    private let bounds: [DecimalNumber]
    /// Segment tree over the slots: the values whose range covers each node's slots entirely.
    private var tree: [[Value]]
    private let slotCount: Int

    var isEmpty: Bool { bounds.isEmpty && tree.allSatisfy(\.isEmpty) }

    init(_ ranges: [(NumericRange, Value)]) {
        var points = Set<DecimalNumber>()
        for (range, _) in ranges {
            if let lower = range.lower { points.insert(lower) }
            if let upper = range.upper { points.insert(upper) }
        }
        bounds = points.sorted()
        slotCount = 2 * bounds.count + 1
        tree = Array(repeating: [], count: 4 * slotCount)
        for (range, value) in ranges {
            let low = range.lower.map { pointSlot($0) + (range.lowerInclusive ? 0 : 1) } ?? 0
            let high = range.upper.map { pointSlot($0) - (range.upperInclusive ? 0 : 1) } ?? slotCount - 1
            guard low <= high else { continue }
            insert(value, low, high, node: 1, from: 0, to: slotCount - 1)
        }
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

    private func pointSlot(_ bound: DecimalNumber) -> Int {
        2 * lowerIndex(bound) + 1
    }

    /// The slot of a value: its bound's point slot, or the gap it falls in.
    private func slot(of number: DecimalNumber) -> Int {
        let index = lowerIndex(number)
        return index < bounds.count && bounds[index] == number ? 2 * index + 1 : 2 * index
    }

    /// The number of bounds below `number`.
    private func lowerIndex(_ number: DecimalNumber) -> Int {
        var low = 0
        var high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if bounds[middle] < number { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func insert(_ value: Value, _ low: Int, _ high: Int, node: Int, from: Int, to: Int) {
        if low <= from, to <= high {
            tree[node].append(value)
            return
        }
        let middle = (from + to) / 2
        if low <= middle { insert(value, low, high, node: 2 * node, from: from, to: middle) }
        if high > middle { insert(value, low, high, node: 2 * node + 1, from: middle + 1, to: to) }
    }
}
