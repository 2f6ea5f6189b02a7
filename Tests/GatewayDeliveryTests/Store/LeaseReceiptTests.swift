import Testing

@testable import GatewayDelivery

/// Receipts (`seq/token`) read back into leases; anything else is refused.
struct LeaseReceiptTests {
    @Test(arguments: [
        ("12/k3x-1a", 12, "k3x-1a"),
        ("0/", 0, ""),
        // Only the first slash divides: tokens never hold one, but a receipt that does keeps it.
        ("7/a/b", 7, "a/b"),
    ] as [(String, Int64, String)])
    func receiptsReadAsLeases(_ receipt: String, _ seq: Int64, _ token: String) throws {
        let lease = try #require(SQLDeliveryStore.Lease(receipt: receipt))
        #expect(lease.seq == seq)
        #expect(lease.token == token)
    }

    @Test(arguments: ["", "12", "/k3x", "x/k3x", "1.5/k", "é/k", "99999999999999999999/k"])
    func otherTextIsNoReceipt(_ receipt: String) {
        #expect(SQLDeliveryStore.Lease(receipt: receipt) == nil)
    }
}
