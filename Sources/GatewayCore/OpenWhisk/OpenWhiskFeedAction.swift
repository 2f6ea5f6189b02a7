/// Recognizes an OpenWhisk feed-action invocation (`{"lifecycleEvent": "CREATE", "triggerName": ..., "authKey": ...}`),
/// which manages a feed and is not an event, so that it is refused with a reason instead of "undetected".
enum OpenWhiskFeedAction {
    /// The refusal for a body of that shape, or nil.
    static func refusal(_ probe: DetectionProbe) -> NormalizationError? {
        guard let lifecycle = probe.string("lifecycleEvent"), let trigger = probe.string("triggerName"),
            (probe.kind("authKey")) != nil
        else { return nil }
        return NormalizationError(
            .notAnEvent,
            "this is an OpenWhisk feed-action invocation (lifecycleEvent \(lifecycle) for trigger \(trigger)): feed management, not an event; fire the trigger at /api/v1/namespaces/{namespace}/triggers/{trigger} instead",
            path: JSONPath.root, expected: "an event", found: "an OpenWhisk feed-action invocation")
    }
}
