public import GatewayCore

/// A complete answer read by the ``ConnectionPool``.
public struct HTTP1Response: Sendable, Hashable {
    public var status: Int
    /// Header fields in the order received, repeated names kept.
    public var headers: [HeaderField]
    public var body: [UInt8]

    public init(status: Int, headers: [HeaderField], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
