import Foundation
import GatewayServer
import GatewayStubs
import HTTPTypes
import HummingbirdTesting
import Testing

/// `event-gateway dlq` and `status`, the real binary on the store a live gateway uses: calls refused by
/// their function become dead letters, which the commands list, show, replay and drop.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DeadLetterCommandTests {
    /// Two events, `e-1` and `e-2`, whose calls `orders` refuses with 400.
    static func event(_ id: String) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"/shop","type":"com.example.order.created","data":{"order":"\#(id)"}}"#
    }

    @Test(arguments: TestStore.allCases)
    func listShowStatusReplayAndDrop(_ store: TestStore) async throws {
        try await store.withDatabase { database in
            let function = try await StubFunction.start(reply: .text("bad order", status: 400))
            defer { Task { await function.stop() } }
            let folder = try RoutesFolder()
            try folder.write("orders.yaml", routeFile(routes: [.all(topic: "orders")], functions: [.http("orders", url: function.url, topics: ["orders"], mode: "async")]))
            let gateway = LiveGateway(folder) { $0.store = database.settings }
            let environment = database.environment
            @Sendable func command(_ arguments: String...) async throws -> GatewayCommand {
                try await GatewayCommand.run(arguments, environment: environment)
            }

            try await gateway.run { client in
                for id in ["e-1", "e-2"] {
                    #expect(try await client.post("/", json: Self.event(id)).status == .accepted)
                }
                // A 400 is final: each call becomes a dead letter after one attempt.
                var letters: [[String: Any]] = []
                let dead = try await eventually(timeout: .seconds(30)) {
                    letters = try await command("dlq", "list", "--json").json() as? [[String: Any]] ?? []
                    return letters.count == 2
                }
                try #require(dead, "no two dead letters: \(letters)")
                #expect(letters.map { $0["envelope_ids"] as? [String] } == [["e-1"], ["e-2"]] || letters.map { $0["envelope_ids"] as? [String] } == [["e-2"], ["e-1"]])
                let byEvent = Dictionary(uniqueKeysWithValues: letters.map { (($0["envelope_ids"] as? [String])?.first ?? "", $0) })
                let first = try #require(byEvent["e-1"]?["id"] as? String)
                let second = try #require(byEvent["e-2"]?["id"] as? String)
                for letter in letters {
                    #expect(letter["function"] as? String == "orders")
                    #expect(letter["reason"] as? String == "terminal_status")
                    #expect(letter["status"] as? Int == 400)
                    #expect(letter["attempts"] as? Int == 1)
                    #expect(letter["replays"] as? Int == 0)
                    #expect(letter["response_body"] as? String == "bad order")
                    #expect(letter["destination"] as? String == function.url)
                    #expect(letter["topics"] as? [String] == ["orders"])
                }

                // People's list: a header, then one row per dead letter.
                let list = try await command("dlq", "list")
                let rows = list.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
                #expect(rows.first == ["ID", "FUNCTION", "REASON", "STATUS", "ATTEMPTS", "REPLAYS", "DEAD", "AT"])
                #expect(Set(rows.dropFirst().map { Array($0.prefix(6)) }) == [[first, "orders", "terminal_status", "400", "1", "0"], [second, "orders", "terminal_status", "400", "1", "0"]])

                let shown = try await command("dlq", "show", first)
                #expect(shown.status == 0, "\(shown.error)")
                // Labels padded to the longest, "first attempt:".
                let fields = [("id:", first), ("function:", "orders"), ("reason:", "terminal_status"), ("status:", "400"), ("attempts:", "1"), ("replays:", "0")]
                for line in fields.map({ $0.0.padding(toLength: 16, withPad: " ", startingAt: 0) + $0.1 }) + ["response body (first 1024 bytes):\nbad order\nenvelopes:"] {
                    #expect(shown.output.contains(line), "\(line) missing in:\n\(shown.output)")
                }
                let showJSON = try #require(try await command("dlq", "show", first, "--json").json() as? [String: Any])
                let envelopes = try #require(showJSON["envelopes"] as? [[String: Any]])
                #expect(envelopes.map { $0["id"] as? String } == ["e-1"])
                #expect(envelopes.first?["data"] as? [String: String] == ["order": "e-1"])

                let status = try #require(try await command("status", "--json").json() as? [String: Any])
                let total = try #require(status["total"] as? [String: Any])
                #expect(total["dead_letters"] as? Int == 2)
                #expect(total["depth"] as? Int == 0)
                #expect(((status["functions"] as? [String: Any])?["orders"] as? [String: Any])?["dead_letters"] as? Int == 2)
                let statusTable = try await command("status")
                #expect(statusTable.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) } == [
                    ["FUNCTION", "DEPTH", "IN", "FLIGHT", "DEAD", "LETTERS", "OLDEST"], ["orders", "0", "0", "2", "-"], ["total", "0", "0", "2", "-"],
                ])

                // Filters that match nothing replay nothing.
                #expect(try await command("dlq", "replay", "--function", "payments").output == "replayed 0 dead letters\n")
                #expect(try await command("dlq", "replay", "--until", "1h").output == "replayed 0 dead letters\n")
                let badTime = try await command("dlq", "list", "--since", "yesterday")
                #expect(badTime.status != 0)
                #expect(badTime.error.contains("--since \"yesterday\": expected an RFC 3339 time"), "\(badTime.error)")

                // At the replay limit, replay refuses and names each dead letter.
                let refused = try await GatewayCommand.run(["dlq", "replay"], environment: environment.merging(["EVENT_GATEWAY_MAX_REPLAYS": "0"]) { $1 })
                #expect(refused.status == 1)
                #expect(refused.output == "replayed 0 dead letters\n")
                for id in [first, second] {
                    #expect(refused.error.contains("dead letter \(id) was replayed 0 times already, the limit is 0: not replayed"), "\(refused.error)")
                }

                #expect(try await command("dlq", "drop", first).output == "dropped \(first)\n")
                let again = try await command("dlq", "drop", first)
                #expect(again.status == 1)
                #expect(again.error == "event-gateway: no dead letter with id \(first)\n")
                let missing = try await command("dlq", "show", first)
                #expect(missing.status == 1)
                #expect(missing.error == "event-gateway: no dead letter with id \(first)\n")

                // Fixed, the function takes the replayed call.
                function.reply(with: .text("ok"))
                #expect(try await command("dlq", "replay", "--function", "orders", "--since", "1h").output == "replayed 1 dead letter:\n  \(second)\n")
                let requests = try await function.waitForRequests(count: 3, timeout: .seconds(30))
                #expect(requests.last?.text.contains("e-2") == true, "\(requests.last?.text ?? "")")
                let drained = try await eventually(timeout: .seconds(30)) {
                    let total = (try await command("status", "--json").json() as? [String: Any])?["total"] as? [String: Any]
                    return total?["depth"] as? Int == 0 && total?["dead_letters"] as? Int == 0
                }
                #expect(drained)
                #expect(try await command("dlq", "list").output == "no dead letters\n")
            }
        }
    }

    @Test func aStoreThatIsNotThereIsNamed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nothing-\(UUID().uuidString)").path
        let missing = try await GatewayCommand.run(["dlq", "list", "--data-directory", directory], environment: [:])
        #expect(missing.status == 1)
        #expect(
            missing.error
                == "event-gateway: delivery.store.directory: no delivery store at \(directory)/deliveries.sqlite: the gateway creates it when it first starts (is the data directory right?)\n"
        )
        #expect(!FileManager.default.fileExists(atPath: directory))
        let memory = try await GatewayCommand.run(["status", "--store", "memory"], environment: [:])
        #expect(memory.status == 1)
        #expect(
            memory.error
                == "event-gateway: delivery.store.kind: the store is memory: its calls and dead letters live only inside the running gateway; use sqlite or postgres\n"
        )
        let badFlag = try await GatewayCommand.run(["status", "--store", "redis"], environment: [:])
        #expect(badFlag.status == 1)
        #expect(badFlag.error == "event-gateway: --store: expected one of sqlite, postgres, memory, found \"redis\"\n")
    }
}
