import Foundation
import GatewayDelivery

/// Runs `body` over the workload's inputs until `budget` passes; returns inputs per second and the sink.
func measure(_ count: Int, _ budget: Duration, _ body: (Int) -> Int) -> (rate: Double, sink: Int) {
    let clock = ContinuousClock()
    var done = 0
    var sink = 0
    let start = clock.now
    var elapsed = Duration.zero
    while elapsed < budget {
        for index in 0..<count { sink &+= body(index) }
        done += count
        elapsed = clock.now - start
    }
    return (Double(done) / elapsed.seconds, sink)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func row(_ columns: [String]) -> String {
    zip(columns, [33, 12, 12, 14, 14, 14]).map { $0.count >= $1 ? $0 : $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: " ")
}
