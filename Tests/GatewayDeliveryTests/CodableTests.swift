import Foundation
import GatewayCore
import GatewayDelivery
import Testing

/// Invocations survive a durable store; results read well as JSON.
struct CodableTests {
    @Test func invocationRoundTripsThroughJSON() throws {
        let function = FunctionSpec(
            name: "resize", namespace: "images", target: .openfaas(gateway: "http://gw:8080/prefix"), topics: ["uploads", "photos"], mode: .async,
            body: .grouped, contentType: "application/json", headers: [HeaderField("X-A", "1"), HeaderField("X-B", "2")], timeout: .milliseconds(1500),
            concurrency: 3, callbackURL: "http://cb/x",
            retry: RetrySettings(maxAttempts: 7, maxAge: .seconds(1800), backoff: .milliseconds(250), maxBackoff: .seconds(20), maxRetryAfter: .seconds(90)),
            location: SourceLocation(file: "routes/functions.yaml", line: 4, column: 7))
        let envelopes = [
            try Support.order(extensions: ["partition": 3, "replayed": true, "traceparent": "00-abc-def-01"]),
            Envelope(id: "bin", source: "/b", type: "bytes", data: .binary([0, 159, 255])),
            Envelope(id: "text", source: "/t", type: "text", datacontenttype: "text/plain", data: .text("héllo")),
        ]
        let invocation = Invocation(
            function: function, topics: ["uploads"], envelopes: envelopes, payload: Invocation.Payload(bytes: [1, 2, 3, 250], contentType: nil),
            headers: [HeaderField("X-Kafka-Key", "k"), HeaderField("X-Quote", "say \"hi\" \\ \u{1} ü")])
        // The store reads its rows with the document decoder: byte for byte.
        #expect(try JSONDocument.decode(Invocation.self, from: invocation.storedJSON()) == invocation)
        // Another decoder gives the same values (the members of an object `data` maybe in another order).
        #expect(try Self.sameValues(JSONDecoder().decode(Invocation.self, from: Data(invocation.storedJSON())), invocation))

        for target in [FunctionTarget.http(url: "http://h"), .cloudevents(sink: "http://s"), .log] {
            let simple = Invocation(function: FunctionSpec(name: "s", target: target), topics: [], envelopes: [])
            #expect(try JSONDecoder().decode(Invocation.self, from: Data(simple.storedJSON())) == simple)
            #expect(try JSONDocument.decode(Invocation.self, from: simple.storedJSON()) == simple)
        }
    }

    /// Rows stored by earlier versions hold each envelope as a string: they read back the same, and are
    /// written again with the envelope as an object.
    @Test func anInvocationStoredInTheEarlierFormReadsBack() throws {
        let function = #"{"name":"ship","namespace":"orders","target":{"kind":"http","url":"http://127.0.0.1:9/"},"topics":["orders.shipped"],"#
            + #""mode":"async","body":"original","headers":[],"timeoutNanoseconds":30000000000,"concurrency":16,"location":{"file":"f.yaml","line":6,"column":5}}"#
        let envelope = #"{"specversion":"1.0","id":"5c0f","source":"urn:smn:eu-de:orders","type":"com.huaweicloud.smn.notification","#
            + #""subject":"Order update","time":"2024-03-18T09:15:02Z","datacontenttype":"text/plain","trigger":"smn","data":"order 4711 shipped"}"#
        let quoted = "\"" + envelope.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        let rest = #""payload":{"base64":"eyJrIjoxfQ==","contentType":"application/json"},"headers":[]}"#
        let earlier = #"{"id":"inv-1","function":"# + function + #","topics":["orders.shipped"],"envelopes":["# + quoted + "]," + rest
        let expected = Invocation(
            function: FunctionSpec(
                name: "ship", namespace: "orders", target: .http(url: "http://127.0.0.1:9/"), topics: ["orders.shipped"], mode: .async, body: .original,
                timeout: .seconds(30), concurrency: 16, location: SourceLocation(file: "f.yaml", line: 6, column: 5)),
            topics: ["orders.shipped"], envelopes: [try Envelope(cloudEventJSON: Array(envelope.utf8))],
            payload: Invocation.Payload(bytes: Array(#"{"k":1}"#.utf8), contentType: "application/json"), id: "inv-1")
        for read in [try JSONDocument.decode(Invocation.self, from: Array(earlier.utf8)), try JSONDecoder().decode(Invocation.self, from: Data(earlier.utf8))] {
            #expect(read == expected)
            #expect(read.envelopes.first?.jsonBytes() == Array(envelope.utf8))
        }
        let now = #"{"id":"inv-1","function":"# + function + #","topics":["orders.shipped"],"envelopes":["# + envelope + "]," + rest
        #expect(String(decoding: expected.storedJSON(), as: UTF8.self) == now)
    }

    /// Stored forms of functions are remembered both ways: a function changed by a reload is stored and
    /// read back changed, never as the form remembered for its earlier self.
    @Test func aChangedFunctionIsStoredAndReadAsChanged() throws {
        let envelope = try Support.order()
        var before = FunctionSpec(name: "f", target: .http(url: "http://h/"))
        before.concurrency = 2
        var after = before
        after.concurrency = 5
        after.timeout = .milliseconds(1500)
        for function in [before, after, before, after] {
            let invocation = Invocation(function: function, topics: ["t"], envelopes: [envelope])
            #expect(try JSONDocument.decode(Invocation.self, from: invocation.storedJSON()) == invocation)
            #expect(try Self.sameValues(JSONDecoder().decode(Invocation.self, from: Data(invocation.storedJSON())), invocation))
        }
        let stored = [before, after].map { Invocation(function: $0, topics: ["t"], envelopes: [envelope]).storedJSON() }
        #expect(stored[0] != stored[1])
    }

    /// Equal but for the order of members inside the envelopes' JSON, which `JSONDecoder` does not keep.
    static func sameValues(_ a: Invocation, _ b: Invocation) throws -> Bool {
        func withoutEnvelopes(_ invocation: Invocation) -> Invocation {
            var invocation = invocation
            invocation.envelopes = []
            return invocation
        }
        func value(_ envelope: Envelope) throws -> NSDictionary? {
            try JSONSerialization.jsonObject(with: Data(envelope.jsonBytes())) as? NSDictionary
        }
        guard withoutEnvelopes(a) == withoutEnvelopes(b), a.envelopes.count == b.envelopes.count else { return false }
        return try zip(a.envelopes, b.envelopes).allSatisfy { try value($0) == value($1) }
    }

    @Test func storedInvocationWithAnUnknownTargetIsRefused() throws {
        let stored = Invocation(function: FunctionSpec(name: "s", target: .log), topics: [], envelopes: []).storedJSON()
        let broken = String(decoding: stored, as: UTF8.self).replacingOccurrences(of: "\"kind\":\"log\"", with: "\"kind\":\"carrier-pigeon\"")
        #expect(broken != String(decoding: stored, as: UTF8.self))
        let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode(Invocation.self, from: Data(broken.utf8)) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(context.debugDescription == "unknown target \"carrier-pigeon\"")
        #expect(context.codingPath.map(\.stringValue) == ["function"])
        let refusal = try #require(throws: NormalizationError.self) { try JSONDocument.decode(Invocation.self, from: Array(broken.utf8)) }
        #expect(refusal.description == #"$.function: unknown target "carrier-pigeon""#)
    }

    /// The stores' reader names where a stored invocation breaks: an envelope's attribute, the payload.
    @Test(arguments: [
        (#""source":"/s""#, #""source":"""#, #"$.envelopes[0].source: a required attribute must be a non-empty string"#),
        (#""base64":"AQI=""#, #""base64":"A*""#, #"$.payload.base64: not valid base64: "A*""#),
        (#""topics":["t"]"#, #""topics":[1]"#, "$.topics[0]: expected a string, found number 1"),
    ])
    func aBrokenStoredInvocationNamesThePath(_ original: String, _ replacement: String, _ expected: String) throws {
        let envelope = Envelope(id: "e", source: "/s", type: "t")
        let invocation = Invocation(
            function: FunctionSpec(name: "s", target: .log), topics: ["t"], envelopes: [envelope], payload: Invocation.Payload(bytes: [1, 2], contentType: nil))
        let stored = String(decoding: invocation.storedJSON(), as: UTF8.self)
        let broken = stored.replacingOccurrences(of: original, with: replacement)
        #expect(broken != stored)
        let refusal = try #require(throws: NormalizationError.self) { try JSONDocument.decode(Invocation.self, from: Array(broken.utf8)) }
        #expect(refusal.description == expected)
    }

    /// Any other decoder says which envelope broke, and the envelope's error says where in it.
    @Test func aBrokenEnvelopeIsNamedByItsPlaceThroughJSONDecoder() throws {
        let invocation = Invocation(function: FunctionSpec(name: "s", target: .log), topics: ["t"], envelopes: [Envelope(id: "e", source: "/s", type: "t")])
        let broken = String(decoding: invocation.storedJSON(), as: UTF8.self).replacingOccurrences(of: #""source":"/s""#, with: #""source":"""#)
        let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode(Invocation.self, from: Data(broken.utf8)) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["envelopes", "Index 0"])
        #expect(context.debugDescription == "$.source: a required attribute must be a non-empty string")
    }

    /// Through any other decoder, bad payload base64 is refused as the stores' reader refuses it.
    @Test func badPayloadBase64IsRefusedThroughJSONDecoder() throws {
        let invocation = Invocation(
            function: FunctionSpec(name: "s", target: .log), topics: ["t"], envelopes: [], payload: Invocation.Payload(bytes: [1, 2], contentType: nil))
        let broken = String(decoding: invocation.storedJSON(), as: UTF8.self).replacingOccurrences(of: #""base64":"AQI=""#, with: #""base64":"A*""#)
        let refusal = try #require(throws: NormalizationError.self) { try JSONDecoder().decode(Invocation.self, from: Data(broken.utf8)) }
        #expect(refusal.code == .invalidBase64)
        #expect(refusal.message == #"not valid base64: "A*""#)
    }

    @Test func resultRoundTripsWithTextAndBinaryBodies() throws {
        let text = InvocationResult(
            invocationID: "i", function: "f.ns", topics: ["t"], envelopeIDs: ["e"], url: "http://x", status: 200, headers: [HeaderField("A", "b")],
            body: Array("ok".utf8), duration: .milliseconds(12))
        let binary = InvocationResult(
            invocationID: "j", function: "g", topics: [], envelopeIDs: [], url: "http://y", status: 502, body: [0, 255],
            duration: .microseconds(1500), error: InvocationError(.interrupted, "broke off"))
        let data = try JSONEncoder().encode([text, binary, .noSubscribers(topics: ["x"], envelopeIDs: ["e2"])])
        let decoded = try JSONDecoder().decode([InvocationResult].self, from: data)
        #expect(decoded == [text, binary, .noSubscribers(topics: ["x"], envelopeIDs: ["e2"])])

        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(json[0]["body"] as? String == "ok")
        #expect(json[0]["durationMilliseconds"] as? Double == 12)
        #expect(json[0]["outcome"] as? String == "delivered")
        #expect(json[1]["bodyBase64"] as? String == "AP8=")
        #expect(json[1]["body"] == nil)
        #expect(json[1]["outcome"] as? String == "failed")
        #expect(json[2]["outcome"] as? String == "no_subscribers")
    }
}
