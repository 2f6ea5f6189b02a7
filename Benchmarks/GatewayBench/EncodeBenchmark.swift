import Foundation
import GatewayCore
import GatewayTesting

/// `GatewayBench encode`: envelopes written as CloudEvents JSON (what `cloudevent` functions receive and
/// what a durable store keeps), against `JSONSerialization.data` of the same events as Foundation objects.
func encodeBenchmark(_ options: Options) throws {
    let envelopes = try Fixtures.valid().flatMap { (try? Normalizer().normalize($0.event))?.envelopes ?? [] }
    guard !envelopes.isEmpty else { fatalError("no fixture envelopes under \(Fixtures.root)") }
    // The yardstick's input: each envelope's JSON as Foundation objects, parsed once up front.
    let objects = try envelopes.map { try JSONSerialization.jsonObject(with: Data($0.jsonBytes())) }
    let budget = Duration.milliseconds(options.milliseconds)
    print("envelope encoding, \(envelopes.count) fixture envelopes, medians of \(options.rounds) rounds of \(options.milliseconds) ms")
    print(row(["workload", "events/s", "JSONSer/s", "ratio"]))
    var encoded: [Double] = []
    var serialized: [Double] = []
    var sink = 0
    for _ in 0..<options.rounds {
        let e = measure(envelopes.count, budget) { envelopes[$0].jsonBytes().count }
        let s = measure(objects.count, budget) { (try? JSONSerialization.data(withJSONObject: objects[$0]))?.count ?? 0 }
        encoded.append(e.rate)
        serialized.append(s.rate)
        sink &+= e.sink &+ s.sink
    }
    let rate = median(encoded)
    let yardstick = median(serialized)
    print(row(["envelope -> CloudEvents JSON", String(Int(rate)), String(Int(yardstick)), String(format: "%.2fx", rate / yardstick)]))
    print("(sink \(sink % 1000))")
}
