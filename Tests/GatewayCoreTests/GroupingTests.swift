import GatewayCore
import GatewayTesting
import Testing

/// Grouped bodies (the extremum model): a batch cut down to some of its envelopes is the batch's own
/// container holding only their messages, and normalizes again to exactly those envelopes.
struct GroupingTests {
    /// Fixtures whose ids derive from the batch position because the source gives none (DMS request
    /// id plus position, hashes over the position): a regrouped body renumbers its messages, so their
    /// ids change, and only those ids are exempt from the comparison. ``positionalIDsAreCurrent()``
    /// keeps this list honest in both directions.
    static let positionalIDs: Set<String> = [
        "fixtures/functiongraph/dds/no-token-unicode.json",
        "fixtures/functiongraph/dms/batch-mixed-bodies.json",
        "fixtures/functiongraph/dms/no-time-no-request-id.json",
        "fixtures/functiongraph/kafka/json-message-string-time.json",
        "fixtures/functiongraph/kafka/k1-flat.json",
        "fixtures/functiongraph/kafka/k2-instance-in-record.json",
        "fixtures/functiongraph/kafka/k3-instance-on-top.json",
        "fixtures/functiongraph/kafka/message-objects.json",
        "fixtures/functiongraph/kafka/unicode-no-time.json",
        "fixtures/functiongraph/lts/no-uid-no-time.json",
        "fixtures/functiongraph/obs/object-created-batch.json",
        "fixtures/functiongraph/rabbitmq/instance-in-record.json",
        "fixtures/functiongraph/rabbitmq/instance-on-top-json.json",
        "fixtures/functiongraph/rocketmq/flat-unicode.json",
        "fixtures/functiongraph/rocketmq/two-records.json",
        "fixtures/yandex/datastreams/scalar-records-no-stream.json",
        "fixtures/yandex/datastreams/two-records-stream-header.json",
    ]

    /// The dialects with a batch container.
    static let batchDialects: Set<String> = [
        "cloudevents.batch", "functiongraph.eventgrid", "functiongraph.smn", "functiongraph.obs", "functiongraph.dds",
        "functiongraph.dis", "functiongraph.dms", "functiongraph.kafka", "functiongraph.rocketmq", "functiongraph.rabbitmq",
        "functiongraph.lts", "yandex.storage", "yandex.messagequeue", "yandex.timer", "yandex.iot", "yandex.logging",
        "yandex.cloudlogs", "yandex.containerregistry", "yandex.budget", "yandex.mail", "yandex.event", "yandex.datastreams",
    ]

    /// Every valid fixture whose request is a batch container; none is an error, so that the tests
    /// over them fail rather than pass over nothing.
    static func batchFixtures() throws -> [Fixture] {
        let fixtures = try Fixtures.valid().filter { try Normalizer().normalize($0.event).isBatch }
        guard !fixtures.isEmpty else { throw FixtureError("no batch fixtures found under \(Fixtures.root)") }
        return fixtures
    }

    @Test func everyBatchDialectHasBatchFixtures() throws {
        let fixtures = try Self.batchFixtures()
        #expect(Set(fixtures.map(\.dialect)) == Self.batchDialects)
        // And nothing else is a batch: single events have no container to cut down.
        for fixture in try Fixtures.valid() where !Self.batchDialects.contains(fixture.dialect) {
            #expect(try !Normalizer().normalize(fixture.event).isBatch, "\(fixture)")
        }
    }

    /// Keeping each envelope alone, the first and last, and all: the grouped body normalizes again (same
    /// dialect, same request sidecar) to exactly the envelopes it carries, the kept ones among them.
    @Test(arguments: try batchFixtures())
    func groupedBodyNormalizesToTheKeptEnvelopes(_ fixture: Fixture) throws {
        let original = try Normalizer().normalize(fixture.event)
        let count = original.envelopes.count
        var keepSets = (0..<count).map { [$0] }
        if count > 1 { keepSets.append([0, count - 1]) }
        keepSets.append(Array(0..<count))
        let positional = Self.positionalIDs.contains(fixture.relativePath)
        for kept in keepSets {
            let carried = original.groupedEnvelopes(keeping: kept)
            #expect(Set(kept).isSubset(of: carried), "\(fixture) keeping \(kept) carries \(carried)")
            let body = original.groupedBody(keeping: kept)
            if kept.count == count { #expect(body == fixture.event.body, "\(fixture): keeping all must send the body unchanged") }
            var event = fixture.event
            event.body = body
            event.dialect = original.dialect
            let again = try Normalizer().normalize(event)
            let expected = carried.map { Self.comparable(original.envelopes[$0], ignoringID: positional) }
            #expect(again.envelopes.map { Self.comparable($0, ignoringID: positional) } == expected, "\(fixture) keeping \(kept)")
        }
    }

    /// Every listed fixture has ids that change when regrouped, and no other fixture has.
    @Test func positionalIDsAreCurrent() throws {
        var changing: Set<String> = []
        for fixture in try Self.batchFixtures() {
            let original = try Normalizer().normalize(fixture.event)
            for index in original.envelopes.indices {
                var event = fixture.event
                event.body = original.groupedBody(keeping: [index])
                event.dialect = original.dialect
                let carried = original.groupedEnvelopes(keeping: [index]).map { original.envelopes[$0].id }
                if try Normalizer().normalize(event).envelopes.map(\.id) != carried { changing.insert(fixture.relativePath) }
            }
        }
        #expect(changing == Self.positionalIDs)
    }

    @Test func keptElementsKeepTheirTextAndLayout() throws {
        let body = """
            {
              "record": [
                {"event_source": "smn", "smn": {"topic_urn": "urn:smn:r:p:t", "message_id": "m1", "message": "one"}},
                {"event_source": "smn", "smn": {"topic_urn": "urn:smn:r:p:t", "message_id": "m2", "message": "two"}},
                {"event_source": "smn", "smn": {"topic_urn": "urn:smn:r:p:t", "message_id": "m3", "message": "three"}}
              ],
              "functionname": "f"
            }
            """
        let result = try Normalizer().normalize(IncomingEvent(body: Array(body.utf8)))
        #expect(result.dialect == "functiongraph.smn")
        #expect(text(result.groupedBody(keeping: [2, 0])) == """
            {
              "record": [
                {"event_source": "smn", "smn": {"topic_urn": "urn:smn:r:p:t", "message_id": "m1", "message": "one"}},
                {"event_source": "smn", "smn": {"topic_urn": "urn:smn:r:p:t", "message_id": "m3", "message": "three"}}
              ],
              "functionname": "f"
            }
            """)
        #expect(text(result.groupedBody(keeping: [1])) == """
            {
              "record": [
                {"event_source": "smn", "smn": {"topic_urn": "urn:smn:r:p:t", "message_id": "m2", "message": "two"}}
              ],
              "functionname": "f"
            }
            """)
        #expect(result.groupedEnvelopes(keeping: [2, 0]) == [0, 2])
    }

    @Test func nestedMessagesKeepTheirRecordAndEmptyRecordsGo() throws {
        let body = #"{"trigger_type": "KAFKA", "records": [{"messages": ["a", "b"], "topic_id": "t1"}, {"messages": ["c"], "topic_id": "t2"}]}"#
        let result = try Normalizer().normalize(IncomingEvent(body: Array(body.utf8)))
        #expect(text(result.groupedBody(keeping: [1])) == #"{"trigger_type": "KAFKA", "records": [{"messages": ["b"], "topic_id": "t1"}]}"#)
        #expect(text(result.groupedBody(keeping: [2])) == #"{"trigger_type": "KAFKA", "records": [{"messages": ["c"], "topic_id": "t2"}]}"#)
        #expect(
            text(result.groupedBody(keeping: [0, 2]))
                == #"{"trigger_type": "KAFKA", "records": [{"messages": ["a"], "topic_id": "t1"}, {"messages": ["c"], "topic_id": "t2"}]}"#)
        #expect(text(result.groupedBody(keeping: [])) == #"{"trigger_type": "KAFKA", "records": []}"#)
    }

    @Test func aTopLevelArrayKeepsItsSurroundingWhitespace() throws {
        let body = "\n[ {\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"} ,\n  {\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"/s\",\"type\":\"t\"} ]\n"
        let result = try Normalizer().normalize(IncomingEvent(body: Array(body.utf8), headers: ["Content-Type": "application/cloudevents-batch+json"]))
        #expect(text(result.groupedBody(keeping: [1])) == "\n[ {\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"/s\",\"type\":\"t\"} ]\n")
    }

    @Test func oneElementOfManyEnvelopesTravelsWhole() throws {
        let fixture = try #require(try Fixtures.valid().first { $0.relativePath == "fixtures/yandex/logging/two-messages-many-entries.json" })
        let result = try Normalizer().normalize(fixture.event)
        #expect(result.envelopes.map(\.id).prefix(3) == ["11111111-aaaa-4bbb-8ccc-000000000001/0", "11111111-aaaa-4bbb-8ccc-000000000001/1", "11111111-aaaa-4bbb-8ccc-000000000002/0"])
        // Keeping the second entry of the first message sends that message, with both its entries.
        #expect(result.groupedEnvelopes(keeping: [1]) == [0, 1])
    }

    @Test func singleEventsAndOutOfRangeIndicesSendTheWholeBody() throws {
        let apig = try #require(try Fixtures.valid().first { $0.dialect == "functiongraph.apig" })
        let single = try Normalizer().normalize(apig.event)
        #expect(!single.isBatch)
        #expect(single.groupedBody(keeping: []) == apig.event.body)
        #expect(single.groupedEnvelopes(keeping: []) == [0])

        let body = #"{"trigger_type": "KAFKA", "messages": ["a", "b"]}"#
        let batch = try Normalizer().normalize(IncomingEvent(body: Array(body.utf8)))
        #expect(text(batch.groupedBody(keeping: [1, 7, -1])) == #"{"trigger_type": "KAFKA", "messages": ["b"]}"#)
        #expect(batch.groupedEnvelopes(keeping: [1, 7, -1]) == [1])
    }

    /// The envelope as CloudEvents JSON without `batchindex` (its position, which regrouping changes)
    /// and, for fixtures with positional ids, without its id.
    static func comparable(_ envelope: Envelope, ignoringID: Bool) -> String {
        var copy = envelope
        copy.extensions["batchindex"] = nil
        if ignoringID { copy.id = "" }
        return String(decoding: copy.jsonBytes(), as: UTF8.self)
    }

    private func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
