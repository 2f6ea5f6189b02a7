import Foundation
import GatewayCore
import GatewayTesting

struct Workload {
  let name: String
  let events: [IncomingEvent]
  let data: [Data]
}

/// `GatewayBench [normalize]`: normalization against JSONSerialization.
func normalizeBenchmark(_ options: Options) throws {
  let normalizer = Normalizer()
  let fixtures = try Fixtures.valid().filter { fixture in
    // The yardstick needs JSON bodies: CloudEvents binary-mode bodies of other types are left out.
    !fixture.event.body.isEmpty
      && (try? JSONSerialization.jsonObject(
        with: Data(fixture.event.body), options: [.fragmentsAllowed])) != nil
      && (options.dialect == nil || fixture.dialect == options.dialect)
  }
  guard !fixtures.isEmpty else { fatalError("no fixtures found under \(Fixtures.root)") }

  var workloads = Dictionary(grouping: fixtures, by: \.dialect).sorted { $0.key < $1.key }.map {
    dialect, cases in
    Workload(name: dialect, events: cases.map(\.event), data: cases.map { Data($0.event.body) })
  }
  workloads.append(
    Workload(
      name: "fixture mix", events: fixtures.map(\.event), data: fixtures.map { Data($0.event.body) }
    ))

  let budget = Duration.milliseconds(options.milliseconds)
  var sink = 0
  if let flag = CommandLine.arguments.firstIndex(of: "--count-passes"),
    let passes = Int(CommandLine.arguments[flag + 1])
  {
    // A fixed amount of work, for instruction counting under callgrind.
    var sink = 0
    let events = fixtures.map(\.event)
    let mode = CommandLine.arguments.contains("--yardstick")
    for _ in 0..<passes {
      for event in events {
        if mode {
          sink &+=
            (try? JSONSerialization.jsonObject(with: Data(event.body), options: [.fragmentsAllowed]))
              == nil ? 0 : 1
        } else {
          sink &+= (try? normalizer.normalize(event))?.envelopes.count ?? 0
        }
      }
    }
    print(sink)
    return
  }
  if options.profile {
    let events = fixtures.map(\.event)
    let result = measure(events.count, budget * options.rounds) {
      (try? normalizer.normalize(events[$0]).envelopes.count) ?? 0
    }
    print("normalize, fixture mix: \(Int(result.rate)) bodies/s (sink \(result.sink % 1000))")
    return
  }
  print(
    "normalization vs JSONSerialization.jsonObject, same bodies, medians of \(options.rounds) rounds of \(options.milliseconds) ms"
  )
  print(
    "bodies ratio: normalized bodies/s over parsed bodies/s; events/parses: envelopes/s over parsed bodies/s"
  )
  print(row(["workload", "bodies/s", "events/s", "JSONSer/s", "bodies ratio", "events/parses"]))
  for workload in workloads {
    let envelopesPerPass = workload.events.reduce(0) {
      $0 + ((try? normalizer.normalize($1).envelopes.count) ?? 0)
    }
    var normalized: [Double] = []
    var parsed: [Double] = []
    for _ in 0..<options.rounds {
      let n = measure(workload.events.count, budget) { index in
        (try? normalizer.normalize(workload.events[index]).envelopes.count) ?? 0
      }
      let p = measure(workload.data.count, budget) { index in
        (try? JSONSerialization.jsonObject(with: workload.data[index], options: [.fragmentsAllowed]))
          == nil ? 0 : 1
      }
      normalized.append(n.rate)
      parsed.append(p.rate)
      sink &+= n.sink &+ p.sink
    }
    let rate = median(normalized)
    let yardstick = median(parsed)
    let events = rate * Double(envelopesPerPass) / Double(workload.events.count)
    print(
      row([
        workload.name, String(Int(rate)), String(Int(events)), String(Int(yardstick)),
        String(format: "%.2fx", rate / yardstick), String(format: "%.2fx", events / yardstick),
      ]))
  }
  print("(sink \(sink % 1000))")
}
