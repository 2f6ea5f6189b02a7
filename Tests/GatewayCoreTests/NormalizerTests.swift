import GatewayCore
import GatewayTesting
import Testing

struct NormalizerTests {
    let normalizer = Normalizer()

    @Test func emptyBodyIsAClearError() throws {
        let error = try #require(throws: NormalizationError.self) { try normalizer.normalize(IncomingEvent(body: [])) }
        #expect(error.code == .emptyBody)
        #expect(error.message == "the body is empty; a JSON value was expected")
    }

    @Test func nonJSONContentTypeIsUnsupported() throws {
        let event = IncomingEvent(body: Array("<a/>".utf8), headers: ["Content-Type": "application/xml"])
        let error = try #require(throws: NormalizationError.self) { try normalizer.normalize(event) }
        #expect(error.code == .unsupportedContentType)
        #expect(error.found == "\"application/xml\"")
    }

    @Test func headerRulesWinOverBodyShape() throws {
        // A binary-mode request whose body happens to look like an SMN event stays a CloudEvent.
        let body = Array("{\"record\": []}".utf8)
        let event = IncomingEvent(body: body, headers: ["ce-specversion": "1.0", "ce-id": "1", "ce-source": "/s", "ce-type": "t", "Content-Type": "application/json"])
        let result = try normalizer.normalize(event)
        #expect(result.dialect == "cloudevents.binary")
        #expect(result.envelopes.first?.data == .json(try RawJSON(validating: body)))
    }

    @Test func lenientStructuredModeReportsWhatItDropped() throws {
        let body = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"dataschema\":\"\",\"subject\":\"\"}"
        let plain = try normalizer.normalize(IncomingEvent(body: Array(body.utf8), headers: ["Content-Type": "application/json"]))
        #expect(plain.warnings == ["$.dataschema: dropped the empty optional attribute \"dataschema\"", "$.subject: dropped the empty optional attribute \"subject\""])
        #expect(plain.envelopes.first?.dataschema == nil)
        let strict = IncomingEvent(body: Array(body.utf8), headers: ["Content-Type": "application/cloudevents+json"])
        #expect(throws: NormalizationError.self) { try normalizer.normalize(strict) }
    }

    @Test func receivedAtFillsMissingTimeAndSeparatesTimelessIDs() throws {
        func fire(at time: String?) throws -> Envelope {
            let event = IncomingEvent(
                body: Array("{\"payload\":\"\"}".utf8), path: "/api/v1/namespaces/_/triggers/tick", receivedAt: time.flatMap(Timestamp.init(rfc3339:)))
            return try #require(try normalizer.normalize(event).envelopes.first)
        }
        let first = try fire(at: "2026-01-01T00:00:00Z")
        let second = try fire(at: "2026-01-01T00:01:00Z")
        #expect(first.time?.rfc3339 == "2026-01-01T00:00:00Z")
        #expect(first.id != second.id, "two fires of the same alarm are two events")
        #expect(try fire(at: "2026-01-01T00:00:00Z").id == first.id, "the same delivery keeps its id")
        #expect(try fire(at: nil).time == nil)
    }

    /// Truncated and corrupted fixtures: every outcome is envelopes or a NormalizationError, never a crash.
    @Test func corruptedInputNeverCrashes() throws {
        var generator = SplitMix(seed: 0x5eed)
        var rejected = 0
        for fixture in try Fixtures.valid() {
            let body = fixture.event.body
            guard !body.isEmpty else { continue }
            var variants: [[UInt8]] = (1..<8).map { Array(body.prefix(body.count * $0 / 8)) }
            for _ in 0..<24 {
                var copy = body
                copy[Int(generator.next() % UInt64(copy.count))] = UInt8(truncatingIfNeeded: generator.next())
                variants.append(copy)
            }
            for variant in variants {
                var event = fixture.event
                event.body = variant
                do { _ = try normalizer.normalize(event) } catch { rejected += 1 }
            }
        }
        #expect(rejected > 0)
    }

    @Test func envelopesRoundTripThroughJSON() throws {
        let time = try #require(Timestamp(rfc3339: "2026-05-06T07:08:09.123456Z"))
        let envelopes = [
            Envelope(id: "1", source: "/s", type: "t"),
            Envelope(id: "2", source: "urn:x", type: "t", subject: "ü", time: time, datacontenttype: "text/plain", data: .text("line\nbreak"),
                     extensions: ["a": "x", "b": 7, "c": true]),
            Envelope(id: "3", source: "/s", type: "t", dataschema: "https://x/s", data: .binary([0, 255, 10])),
            Envelope(id: "4", source: "/s", type: "t", datacontenttype: "application/json", data: .json(try RawJSON(validating: "{\"k\": [1, \"v\"]}"))),
            Envelope(id: "5", source: "/s", type: "t", data: .json(try RawJSON(validating: "\"just a string\""))),
        ]
        for envelope in envelopes {
            #expect(try Envelope(cloudEventJSON: envelope.jsonBytes()) == envelope)
            #expect(try Envelope(cloudEventJSON: envelope.jsonBytes(pretty: true)) == envelope)
        }
        #expect(String(decoding: envelopes[1].jsonBytes(), as: UTF8.self) == """
            {"specversion":"1.0","id":"2","source":"urn:x","type":"t","subject":"ü","time":"2026-05-06T07:08:09.123456Z",\
            "datacontenttype":"text/plain","a":"x","b":7,"c":true,"data":"line\\nbreak"}
            """)
    }
}

/// A small deterministic generator, so the corruption test is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
