import Foundation
import GatewayCore
import GatewayTesting
import Testing

/// A fixture case as a trigger sends it to the gateway: the path (the sidecar's, `/events/{dialect}` when
/// the sidecar names the dialect, `/` otherwise), the sidecar's headers and the body byte for byte.
struct FixtureRequest: Sendable {
    let fixture: Fixture
    let path: String
    let headers: [(String, String)]
    var body: [UInt8] { fixture.event.body }

    init(_ fixture: Fixture) {
        self.fixture = fixture
        let event = fixture.event
        path = event.path ?? event.dialect.map { "/events/\($0)" } ?? "/"
        var headers = event.headers.map { ($0.name, $0.value) }
        // Triggers post JSON as application/json; binary-mode CloudEvents say what their body is.
        if event.contentType == nil, !headers.contains(where: { $0.0.lowercased().hasPrefix("ce-") }) {
            headers.append(("Content-Type", "application/json"))
        }
        self.headers = headers
    }

    /// The `Content-Type` sent; nil when none is.
    var contentType: String? {
        headers.first { $0.0.lowercased() == "content-type" }?.1
    }

    /// The request as the gateway normalizes it, received at `receivedAt`.
    func event(receivedAt: Timestamp?) -> IncomingEvent {
        var fields = EventHeaders()
        for (name, value) in headers { fields.append(name: name, value: value) }
        return IncomingEvent(body: body, headers: fields, path: path, dialect: fixture.event.dialect, receivedAt: receivedAt)
    }

    /// What the gateway made of the request: normalized in process, with the arrival time the gateway
    /// stamped.
    ///
    /// Sources without a time of their own get the arrival time as `time` and in their derived ids, so it
    /// is read back from `deliveredTimes` (the times of the envelopes a function received): the one time
    /// among them that the source does not give.
    func expectedNormalization(deliveredTimes: [Timestamp], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Normalization {
        let probeTime = try #require(Timestamp(seconds: 981_173_106))
        let probe = try Normalizer().normalize(event(receivedAt: probeTime))
        guard probe.envelopes.contains(where: { $0.time == probeTime }) else { return probe }
        let sourceTimes = Set(probe.envelopes.compactMap(\.time)).subtracting([probeTime])
        let stamped = Set(deliveredTimes).subtracting(sourceTimes)
        let receivedAt = try #require(
            stamped.count == 1 ? stamped.first : nil, "expected one arrival time among the delivered times, found \(stamped.sorted())",
            sourceLocation: sourceLocation)
        // The gateway stamps the time it received the request: now, give or take a slow machine.
        let now = Int64(Date().timeIntervalSince1970)
        #expect(abs(receivedAt.seconds - now) < 600, "arrival time \(receivedAt) is not now", sourceLocation: sourceLocation)
        return try Normalizer().normalize(event(receivedAt: receivedAt))
    }
}

