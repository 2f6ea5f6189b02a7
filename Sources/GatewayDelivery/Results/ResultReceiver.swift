/// Something that wants every invocation result: the log, metrics, a webhook.
///
/// The ``Invoker`` awaits its receivers one after another for each batch of results, so `receive` must
/// be quick: a receiver with slow work (network calls) buffers and works elsewhere, as
/// ``WebhookReceiver`` does. Receivers never throw; they deal with their own failures.
public protocol ResultReceiver: Sendable {
    /// Takes the results of one `invoke` or `invokeAll` call, in invocation order.
    func receive(_ results: [InvocationResult]) async
}
