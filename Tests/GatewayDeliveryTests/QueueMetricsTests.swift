import Foundation
import GatewayCore
@testable import GatewayDelivery
import Testing

/// The store's figures as gauges, per function and in total.
struct QueueMetricsTests {
    static func gauges(_ metrics: TestMetrics, _ function: String) -> [Double?] {
        [QueueMetrics.depthLabel, QueueMetrics.inFlightLabel, QueueMetrics.deadLettersLabel, QueueMetrics.oldestAgeLabel].map {
            metrics.recorderValues[TestMetrics.Key($0, [("function", function)])]
        }
    }

    @Test func reportsDepthInFlightDeadLettersAndOldestAgeThenZeroForFunctionsGone() async throws {
        try await StoreTesting.withDatabase(.sqlite) { backend in
            let clock = ManualClock()
            try await StoreTesting.withStore(StoreTesting.configuration(backend, clock: clock.store)) { store in
                let metrics = TestMetrics()
                let reporter = QueueMetrics(store: store, factory: metrics, logger: Support.quiet)
                try await store.enqueue([
                    try StoreTesting.invocation(1, function: "a"), try StoreTesting.invocation(2, function: "a"), try StoreTesting.invocation(3, function: "b"),
                ])
                clock.advance(.seconds(30))
                let first = try #require(try await StoreTesting.next(store, within: .seconds(5)))
                try await store.deadLetter(first, result: DeliveryQueueTests.failed(status: 400), reason: .terminalStatus)
                let second = try #require(try await StoreTesting.next(store, within: .seconds(5)))

                let reported = try await reporter.report()
                #expect(reported == ["a", "b"])
                // a: one waiting (or in flight), one dead; b: one; the oldest accepted 30 s ago.
                let inFlightA: Double = second.invocation.function.name == "a" ? 1 : 0
                #expect(Self.gauges(metrics, "a") == [1, inFlightA, 1, 30])
                #expect(Self.gauges(metrics, "b") == [1, 1 - inFlightA, 0, 30])
                #expect(Self.gauges(metrics, "total") == [2, 1, 1, 30])

                try await store.ack(second)
                let third = try #require(try await StoreTesting.next(store, within: .seconds(5)))
                try await store.ack(third)
                try await store.drop(id: first.invocation.id)
                #expect(try await reporter.report(after: reported) == [])
                for function in ["a", "b", "total"] { #expect(Self.gauges(metrics, function) == [0, 0, 0, 0], "\(function)") }
            }
        }
    }

    /// Readings a fiftieth of the interval or less keep to it; slower ones (a backlog of hundreds of
    /// thousands) space out, so reading takes at most a fiftieth of the time.
    @Test(arguments: [(Duration.milliseconds(20), Duration.seconds(10)), (.milliseconds(200), .seconds(10)), (.milliseconds(400), .seconds(20))])
    func slowReadingsSpaceOut(_ took: Duration, _ pause: Duration) {
        #expect(Duration.seconds(10).spaced(after: took) == pause)
    }
}
