/// Figures about a store's queue.
public struct QueueStatus: Sendable, Hashable {
    /// One function's figures, or the totals.
    public struct Figures: Sendable, Hashable {
        /// Invocations held: waiting, delayed or in flight.
        public var depth: Int
        /// Invocations under an unexpired lease (in any process).
        public var inFlight: Int
        public var deadLetters: Int
        /// How long ago the oldest held invocation was accepted; nil when none is held.
        public var oldestAge: Duration?

        public init(depth: Int = 0, inFlight: Int = 0, deadLetters: Int = 0, oldestAge: Duration? = nil) {
            self.depth = depth
            self.inFlight = inFlight
            self.deadLetters = deadLetters
            self.oldestAge = oldestAge
        }
    }

    /// By function address: every function that has invocations held or dead letters.
    public var functions: [String: Figures]
    public var total: Figures

    public init(functions: [String: Figures], total: Figures) {
        self.functions = functions
        self.total = total
    }
}
