import Foundation
import GatewayCore
import GatewayDelivery
import GatewayTesting
import Logging

/// `GatewayBench store`: the durable store's two stages on a fresh SQLite file, without HTTP: accepting
/// (32 tasks enqueueing one invocation each at a time, as 32 connections' posts do, so that commits
/// group) and the store's side of delivering (claims of up to 16, as the worker's free slots ask, each
/// claimed call acknowledged). Events per second and CPU microseconds an event, medians of the rounds.
/// The HTTP parts of both stages are left out: this isolates what the store costs.
func storeBenchmark(_ options: Options) async throws {
    let events = 20_000
    let template = try storeTemplate()
    print("durable store on SQLite, \(events.formatted()) SMN invocations a round, medians of \(options.rounds) rounds")
    print(row(["stage", "events/s", "CPU us/event"]))
    var accepted: [(rate: Double, cpu: Double)] = []
    var delivered: [(rate: Double, cpu: Double)] = []
    for round in 0..<options.rounds {
        let invocations = (0..<events).map { index in
            var envelope = template.envelopes[0]
            envelope.id = "bench-\(round)-\(index)"
            return Invocation(function: template.function, topics: template.topics, envelopes: [envelope], payload: template.payload)
        }
        let (accept, deliver) = try await storeRound(invocations)
        accepted.append(accept)
        delivered.append(deliver)
    }
    for (name, figures) in [("enqueue (accepting)", accepted), ("claim and ack (delivering)", delivered)] {
        print(row([name, String(Int(median(figures.map(\.rate)))), String(format: "%.1f", median(figures.map(\.cpu)))]))
    }
}

/// An SMN fixture's invocation for an `original` function, as async ingest stores it.
private func storeTemplate() throws -> Invocation {
    let path = Fixtures.root + "/functiongraph/smn/single-record.json"
    let body = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    let event = IncomingEvent(body: body, headers: ["Content-Type": "application/json"])
    let envelopes = try Normalizer().normalize(event).envelopes
    guard envelopes.count == 1 else { fatalError("\(path) gave \(envelopes.count) envelopes, not one") }
    let function = FunctionSpec(name: "bench", namespace: "fn", target: .http(url: "http://127.0.0.1:8080/"), topics: ["bench"])
    return Invocation(function: function, topics: ["bench"], envelopes: envelopes, payload: .init(bytes: body, contentType: "application/json"))
}

/// One round on a new file: every invocation enqueued, then every one claimed and acknowledged.
private func storeRound(_ invocations: [Invocation]) async throws -> (accept: (rate: Double, cpu: Double), deliver: (rate: Double, cpu: Double)) {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).sqlite").path
    defer {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let queue = QueuePolicy(maxDepth: invocations.count, maxDepthPerFunction: invocations.count)
    let store = SQLDeliveryStore(configuration: DeliveryStoreConfiguration(backend: .sqlite(path: path), queue: queue), logger: Logger(label: "bench"))
    let running = Task { try await store.run() }
    do {
        let figures = try await stages(invocations, store)
        running.cancel()
        _ = await running.result
        return figures
    } catch {
        running.cancel()
        _ = await running.result
        throw error
    }
}

private func stages(_ invocations: [Invocation], _ store: SQLDeliveryStore) async throws -> (accept: (rate: Double, cpu: Double), deliver: (rate: Double, cpu: Double)) {
    let accept = try await timed(invocations.count) {
        let stored = try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<32 {
                group.addTask {
                    var stored = 0
                    for index in stride(from: lane, to: invocations.count, by: 32) { stored += try await store.enqueue([invocations[index]]).stored.count }
                    return stored
                }
            }
            return try await group.reduce(0, +)
        }
        // Claims below wait for every one: an invocation not stored would leave them waiting for ever.
        guard stored == invocations.count else { fatalError("stored \(stored) of \(invocations.count) invocations") }
    }
    let deliver = try await timed(invocations.count) {
        var left = invocations.count
        while left > 0 {
            let items = try await store.next(upTo: 16)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for item in items { group.addTask { try await store.ack(item) } }
                try await group.waitForAll()
            }
            left -= items.count
        }
    }
    return (accept, deliver)
}

/// Runs `body` and returns `count` over its wall time and the process's CPU time over `count`.
private func timed(_ count: Int, _ body: () async throws -> Void) async throws -> (rate: Double, cpu: Double) {
    let clock = ContinuousClock()
    let cpu = processCPUSeconds()
    let start = clock.now
    try await body()
    let elapsed = clock.now - start
    return (Double(count) / elapsed.seconds, (processCPUSeconds() - cpu) * 1e6 / Double(count))
}

/// User and system CPU time of the whole process so far.
private func processCPUSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
