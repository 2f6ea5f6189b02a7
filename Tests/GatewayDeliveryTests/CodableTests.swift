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
        let decoded = try JSONDecoder().decode(Invocation.self, from: Data(invocation.storedJSON()))
        #expect(decoded == invocation)
        // The store reads its rows with the document decoder.
        #expect(try JSONDocument.decode(Invocation.self, from: invocation.storedJSON()) == invocation)

        for target in [FunctionTarget.http(url: "http://h"), .cloudevents(sink: "http://s"), .log] {
            let simple = Invocation(function: FunctionSpec(name: "s", target: target), topics: [], envelopes: [])
            #expect(try JSONDecoder().decode(Invocation.self, from: Data(simple.storedJSON())) == simple)
            #expect(try JSONDocument.decode(Invocation.self, from: simple.storedJSON()) == simple)
        }
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
        #expect(refusal.description == #"$: DecodingError.dataCorrupted: Data was corrupted. Path: function. Debug description: unknown target "carrier-pigeon""#)
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
