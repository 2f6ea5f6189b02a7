import Foundation
import GatewayCore
import InMemoryLogging
import Logging
import Testing

@testable import GatewayDelivery

extension StoreSuite {
    /// Function definitions stored once each, named by the queued rows, and payloads in a column of
    /// their own (schema version 5).
    struct StoreDefinitionTests {
        typealias T = StoreTesting

        /// An invocation of `function` with every setting a definition carries.
        static func invocation(_ number: Int, function: String) throws -> Invocation {
            var invocation = try T.invocation(number, function: function, retry: RetrySettings(maxAttempts: 7, maxAge: .seconds(90), backoff: .milliseconds(250)))
            invocation.function.callbackURL = "http://127.0.0.1:9/callback"
            invocation.function.headers = [HeaderField("X-Team", "orders")]
            return invocation
        }

        /// Each form is stored once; rows name it, and hold their payloads' bytes apart; another process
        /// reads them back whole, for a claim and for a dead letter.
        @Test(arguments: StoreKind.allCases)
        func aFunctionIsStoredOnceAndReadBackWholeElsewhere(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend)
                let invocations = [try Self.invocation(1, function: "f"), try Self.invocation(2, function: "f"), try Self.invocation(3, function: "g")]
                try await T.withStore(configuration) { store in
                    try await store.enqueue(Array(invocations[0...1]))
                    try await store.enqueue([invocations[2]])
                    let forms = try await store.backend.execute("SELECT function FROM delivery_functions ORDER BY function", [])
                    let expected = try [invocations[0], invocations[2]].map { invocation in
                        String(decoding: try #require(StoredFunctionCache.shared.definition(of: invocation.function)).form.bytes, as: UTF8.self)
                    }
                    #expect(forms.compactMap { $0.first?.text } == expected)
                    let rows = try await Self.rows(store)
                    #expect(rows.count == 3)
                    for (row, invocation) in zip(rows, invocations) {
                        let definition = try #require(StoredFunctionCache.shared.definition(of: invocation.function)).id
                        #expect(row.invocation == String(decoding: invocation.storedJSON(definition: definition, payloadApart: true), as: UTF8.self))
                        #expect(!row.invocation.contains(#""function""#))
                        #expect(row.invocation.contains(#""payload":{"contentType":"application/json"}"#))
                        #expect(row.payload == invocation.payload?.bytes)
                    }
                }
                try await T.withStore(configuration) { store in
                    _ = try await store.status()
                    let claimed = try await store.claim(3)
                    #expect(claimed.map(\.invocation) == invocations)
                    try await store.deadLetter(claimed[2], result: Self.refusal(claimed[2]), reason: .terminalStatus)
                }
                let letter = try await T.withStore(configuration) { store in try await store.deadLetter(id: invocations[2].id) }
                #expect(letter?.invocation == invocations[2])
            }
        }

        /// A row whose definition is gone is named with the path of what it names, and left out of the
        /// claim; the other rows are claimed.
        @Test(arguments: StoreKind.allCases)
        func aRowNamingAMissingDefinitionIsNamedAndLeftOut(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend)
                let (kept, lost) = (try Self.invocation(1, function: "kept"), try Self.invocation(2, function: "lost"))
                let id = try #require(StoredFunctionCache.shared.definition(of: lost.function)).id
                let seq = try await T.withStore(configuration) { store in
                    try await store.enqueue([kept, lost])
                    try await store.backend.execute("DELETE FROM delivery_functions WHERE definition = ?", [.text(id)])
                    return try #require(try await Self.rows(store).first { $0.id == lost.id }?.seq)
                }
                let logs = InMemoryLogHandler()
                try await T.withStore(configuration, logger: Logger(label: "test", factory: { _ in logs })) { store in
                    _ = try await store.status()
                    let claimed = try await store.claim(2)
                    #expect(claimed.map(\.invocation) == [kept])
                    #expect(logs.entries.filter { $0.level == .error }.map(\.message.description) == [
                        "unreadable: queued invocation \(seq) holds an invocation that cannot be read: $.definition: no function definition \(id) is stored"
                    ])
                }
            }
        }

        /// A commit that fails stores no definition, and this process does not take it for stored: the
        /// next commit of the function stores it, and another process can read its rows.
        @Test(arguments: StoreKind.allCases)
        func aFailedCommitLeavesTheDefinitionToTheNext(_ kind: StoreKind) async throws {
            try await T.withDatabase(kind) { backend in
                let configuration = T.configuration(backend)
                let (first, second) = (try Self.invocation(1, function: "doomed"), try Self.invocation(2, function: "doomed"))
                try await T.withStore(configuration) { store in
                    _ = try await store.status()
                    for statement in StoreQueueTests.failingInserts(kind, of: "doomed") { try await store.backend.execute(statement, []) }
                    await #expect(throws: (any Error).self) { try await store.enqueue([first]) }
                    #expect(try await store.backend.execute("SELECT definition FROM delivery_functions", []).isEmpty)
                    try await store.backend.execute("DROP TRIGGER doomed" + (kind == .postgres ? " ON delivery_invocations" : ""), [])
                    try await store.enqueue([second])
                    #expect(try await store.backend.execute("SELECT definition FROM delivery_functions", []).count == 1)
                }
                let claimed = try await T.withStore(configuration) { store in
                    _ = try await store.status()
                    return try await store.claim(2)
                }
                #expect(claimed.map(\.invocation) == [second])
            }
        }

        /// The queued rows in order. (Read by the key's index: the plan test checks every text the shared
        /// PostgreSQL statements named, these among them.)
        static func rows(_ store: SQLDeliveryStore) async throws -> [(seq: Int64, id: String, invocation: String, payload: [UInt8]?)] {
            let sql = "SELECT seq, invocation_id, invocation, payload FROM delivery_invocations WHERE seq >= ? ORDER BY seq"
            return try await store.backend.execute(sql, [.integer(0)]).map { row in
                (try #require(row[0].integer), try #require(row[1].text), try #require(row[2].text), row[3].bytes)
            }
        }

        static func refusal(_ item: QueuedInvocation) -> InvocationResult {
            InvocationResult(invocationID: item.invocation.id, function: item.invocation.function.name, topics: [], envelopeIDs: [], status: 400)
        }
    }
}
