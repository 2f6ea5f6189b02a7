/// What ``DeliveryStore/replay(_:)`` did.
public struct ReplayReport: Sendable, Hashable {
    /// A dead letter that was not replayed, and why.
    public struct Refusal: Sendable, Hashable, CustomStringConvertible {
        public var id: String
        public var replays: Int
        public var limit: Int

        public init(id: String, replays: Int, limit: Int) {
            self.id = id
            self.replays = replays
            self.limit = limit
        }

        public var description: String {
            "dead letter \(id) was replayed \(replays) times already, the limit is \(limit): not replayed (drop it, or fix the function and raise the limit)"
        }
    }

    /// Ids of the dead letters put back in the queue.
    public var replayed: [String]
    public var refused: [Refusal]

    public init(replayed: [String], refused: [Refusal]) {
        self.replayed = replayed
        self.refused = refused
    }
}
