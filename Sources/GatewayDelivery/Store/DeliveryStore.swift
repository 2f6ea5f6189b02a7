import Foundation
public import ServiceLifecycle

/// A durable ``DeliveryQueue``: invocations survive restarts and crashes, failures end in a dead-letter
/// queue that can be listed and replayed.
///
/// A store is a `Service`: ``run()`` opens it (creating or migrating the schema) and, on graceful
/// shutdown, releases this process's leases so that their invocations are due again at once. Calls made
/// before it is open wait for it. Put it first in a service group, so that it stops after the workers.
public protocol DeliveryStore: DeliveryQueue, Service {
    /// Dead letters matching `filter`, oldest first.
    func deadLetters(_ filter: DeadLetterFilter) async throws -> [DeadLetter]

    /// The dead letter with this id (its invocation's id), or nil.
    func deadLetter(id: String) async throws -> DeadLetter?

    /// Puts the dead letters matching `filter` back in the queue, each due at once with its attempts
    /// counted anew, except those replayed ``DeliveryStoreConfiguration/maxReplays`` times already.
    func replay(_ filter: DeadLetterFilter) async throws -> ReplayReport

    /// Deletes a dead letter; false when there was none with this id.
    @discardableResult
    func drop(id: String) async throws -> Bool

    /// Queue depth, in flight, dead letters and the oldest age, per function and in total. Reads every
    /// queued row: for the CLI and periodic metrics, not for every probe.
    func status() async throws -> QueueStatus

    /// Invocations held, as the depth bounds see them: counts kept current between recounts, so usually
    /// one round trip that shows the database answers. For readiness probes, which come every few seconds
    /// whatever the queue holds.
    func held() async throws -> Int

    /// Transactions that stored enqueued invocations since this instance opened: fewer than the
    /// ``DeliveryQueue/enqueue(_:)`` calls when concurrent calls were committed together.
    var enqueueTransactions: Int { get }
}
