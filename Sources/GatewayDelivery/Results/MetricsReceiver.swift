public import Metrics

/// Counts and times invocations with swift-metrics.
///
/// - `gateway_invocations_total` (counter), dimensions `function` (address, `none` for no
///   subscribers), `outcome` (``InvocationResult/Outcome``) and `status` (the HTTP status, `none`
///   without one);
/// - `gateway_invocation_duration` (timer, nanoseconds), dimensions `function` and `outcome`.
public struct MetricsReceiver: ResultReceiver {
    public static let invocationsLabel = "gateway_invocations_total"
    public static let durationLabel = "gateway_invocation_duration"

    let factory: any MetricsFactory

    /// - Parameter factory: The metrics backend; the bootstrapped global one by default.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    public func receive(_ results: [InvocationResult]) async {
        for result in results {
            let function = result.function ?? "none"
            let outcome = result.outcome.rawValue
            Counter(
                label: Self.invocationsLabel,
                dimensions: [("function", function), ("outcome", outcome), ("status", result.status.map(String.init) ?? "none")],
                factory: factory
            ).increment()
            Timer(label: Self.durationLabel, dimensions: [("function", function), ("outcome", outcome)], factory: factory)
                .recordNanoseconds(result.duration.nanoseconds)
        }
    }
}
