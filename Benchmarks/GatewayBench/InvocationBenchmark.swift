import Foundation
import GatewayCore
import GatewayDelivery
import GatewayTesting

/// `GatewayBench invocation`: invocations in their stored form, as a durable store writes them at
/// ingest and reads them back for each queued delivery, against `JSONSerialization.jsonObject` of the
/// same bytes. One invocation per fixture body, carrying its envelopes and the body itself, as an
/// `original` function's delivery does.
func invocationBenchmark(_ options: Options) throws {
    let function = FunctionSpec(name: "bench", namespace: "fn", target: .http(url: "http://127.0.0.1:8080/"), topics: ["bench"])
    let invocations = try Fixtures.valid().compactMap { fixture -> Invocation? in
        guard let envelopes = try? Normalizer().normalize(fixture.event).envelopes, !envelopes.isEmpty else { return nil }
        let payload = Invocation.Payload(bytes: fixture.event.body, contentType: "application/json")
        return Invocation(function: function, topics: ["bench"], envelopes: envelopes, payload: payload, headers: [HeaderField("X-Trigger", "bench")])
    }
    guard !invocations.isEmpty else { fatalError("no fixture envelopes under \(Fixtures.root)") }
    let stored = invocations.map { $0.storedJSON() }
    let data = stored.map { Data($0) }
    let budget = Duration.milliseconds(options.milliseconds)
    print("stored invocations, \(invocations.count) from the fixtures, medians of \(options.rounds) rounds of \(options.milliseconds) ms")
    print(row(["workload", "invocations/s", "JSONSer/s", "ratio"]))
    var written: [Double] = []
    var read: [Double] = []
    var parsed: [Double] = []
    var sink = 0
    for _ in 0..<options.rounds {
        let w = measure(invocations.count, budget) { invocations[$0].storedJSON().count }
        let r = measure(stored.count, budget) { (try? JSONDocument.decode(Invocation.self, from: stored[$0]))?.envelopes.count ?? 0 }
        let p = measure(data.count, budget) { ((try? JSONSerialization.jsonObject(with: data[$0])) as? [String: Any])?.count ?? 0 }
        written.append(w.rate)
        read.append(r.rate)
        parsed.append(p.rate)
        sink &+= w.sink &+ r.sink &+ p.sink
    }
    let yardstick = median(parsed)
    for (name, rates) in [("invocation -> stored form", written), ("stored form -> invocation", read)] {
        print(row([name, String(Int(median(rates))), String(Int(yardstick)), String(format: "%.2fx", median(rates) / yardstick)]))
    }
    print("(sink \(sink % 1000))")
}
