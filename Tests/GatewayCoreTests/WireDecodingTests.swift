import GatewayTesting
import Testing

@testable import GatewayCore

/// The wire types are read from the parsed document by hand-written readers (`DocumentDecodable`) for speed,
/// and stay `Codable`. Over every fixture, both paths must read the same value, or fail with the same error:
/// a reader that drifts from the declared type (a member skipped, a default taken) shows up here.
struct WireDecodingTests {
    /// The wire type each dialect decodes its body as, read both ways into a deep description.
    static let readers: [String: @Sendable (JSONDocument) -> (readers: Result<String, NormalizationError>, codable: Result<String, NormalizationError>)] = [
        "functiongraph.apig": both(Verbatim<APIG.Event>.self),
        "functiongraph.asyncnotification": both(Verbatim<AsyncNotification.Notification>.self),
        "functiongraph.cts": both(CTS.Event.self),
        "functiongraph.dds": both(DDS.Event.self),
        "functiongraph.dis": both(DIS.Event.self),
        "functiongraph.dms": both(DMS.Event.self),
        "functiongraph.eventgrid": both(EventGridBatch.Body.self),
        "functiongraph.kafka": both(QueueTriggerEvent.self),
        "functiongraph.lts": both(LTS.Event.self),
        "functiongraph.obs": both(OBS.Event.self),
        "functiongraph.rabbitmq": both(QueueTriggerEvent.self),
        "functiongraph.rocketmq": both(QueueTriggerEvent.self),
        "functiongraph.smn": both(SMN.Event.self),
        "functiongraph.timer": both(FunctionGraphTimer.Event.self),
        "cloudevents.structured": both(CloudEventJSON.self),
        "cloudevents.batch": both([CloudEventJSON].self),
        "extremum.call": both(ExtremumCall.Call.self),
        "yandex.budget": both(YandexBudget.Event.self),
        "yandex.cloudlogs": both(YandexBatch<YandexCloudLogs.Details>.self),
        "yandex.containerregistry": both(YandexBatch<YandexContainerRegistry.Details>.self),
        "yandex.datastreams": both(YandexDataStreams.Event.self),
        "yandex.event": both(YandexEvent.Event.self),
        "yandex.iot": both(YandexBatch<YandexIoT.Details>.self),
        "yandex.logging": both(YandexBatch<YandexLogging.Details>.self),
        "yandex.mail": both(YandexMail.Event.self),
        "yandex.messagequeue": both(YandexBatch<YandexMessageQueue.Details>.self),
        "yandex.storage": both(YandexBatch<YandexStorage.Details>.self),
        "yandex.timer": both(YandexBatch<YandexTimer.Details>.self),
    ]

    /// Fixtures of the dialects above whose bodies parse as JSON (the others fail before any wire type).
    static func cases() throws -> [Fixture] {
        try (Fixtures.valid() + Fixtures.invalid()).filter { fixture in
            readers[fixture.dialect] != nil && (try? JSONDocument(bytes: fixture.event.body)) != nil
        }
    }

    @Test func everyDialectWithAWireTypeHasCases() throws {
        let covered = Set(try Self.cases().map(\.dialect))
        #expect(covered == Set(Self.readers.keys), "dialects without a fixture: \(Set(Self.readers.keys).subtracting(covered).sorted())")
        // Every dialect the normalizer knows is here, or reads no JSON wire type.
        let withoutWireType: Set = ["cloudevents.binary", "openwhisk.fire"]
        #expect(Set(Normalizer().dialects.map(\.name)).subtracting(withoutWireType) == Set(Self.readers.keys))
    }

    @Test(arguments: try cases())
    func readersAndCodableAgree(_ fixture: Fixture) throws {
        let document = try JSONDocument(bytes: fixture.event.body)
        let reader = try #require(Self.readers[fixture.dialect])
        let read = reader(document)
        switch (read.readers, read.codable) {
        case (.success(let fast), .success(let codable)):
            #expect(fast == codable)
        case (.failure(let fast), .failure(let codable)):
            #expect(fast == codable)
        case (let fast, let codable):
            Issue.record("readers: \(fast)\nCodable: \(codable)")
        }
    }

    private static func both<T: DocumentDecodable>(_ type: T.Type) -> @Sendable (JSONDocument) -> (readers: Result<String, NormalizationError>, codable: Result<String, NormalizationError>) {
        { document in
            let fast = Result { () throws(NormalizationError) in describe(try document.decode(T.self)) }
            let codable = Result { () throws(NormalizationError) in describe(try viaDecoder(T.self, document)) }
            return (fast, codable)
        }
    }

    /// Calls the `Decodable` overload, which goes through `DocumentDecoder` and the type's `init(from:)`.
    private static func viaDecoder<T: Decodable>(_ type: T.Type, _ document: JSONDocument) throws(NormalizationError) -> T {
        try document.decode(T.self)
    }

    /// A deep, line-per-value description, a dictionary's entries sorted. `RawJSON` counts by its text:
    /// where it came from in the parsed document is, as its own equality says, not part of the value.
    static func describe(_ value: Any, indent: String = "") -> String {
        if let raw = value as? RawJSON { return indent + "raw " + String(decoding: raw.bytes, as: UTF8.self) + "\n" }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return indent + "nil\n" }
            return describe(wrapped, indent: indent)
        }
        guard !mirror.children.isEmpty else { return indent + String(reflecting: value) + "\n" }
        var lines = mirror.children.map { child in indent + "  " + (child.label ?? "-") + ":\n" + describe(child.value, indent: indent + "    ") }
        // A dictionary's order depends on its storage's address: two equal ones list their entries apart.
        if mirror.displayStyle == .dictionary { lines.sort() }
        return indent + "\(mirror.subjectType)\n" + lines.joined()
    }
}
