import Foundation
import GatewayCore
import GatewayTesting
import Testing

/// Every real-world sample in ../shared/samples normalizes to the expected number of envelopes, or is
/// rejected for the reason listed here. A sample listed in neither table fails the test.
@Suite(.enabled(if: SharedSamples.available, "../shared/samples is not present"))
struct SamplesTests {
    static let root = SharedSamples.root

    /// Envelopes each accepted sample yields.
    static let accepted: [String: Int] = [
        "functiongraph/apig-request.huawei-cn-2021.normalized.json": 1,
        "functiongraph/apig-request.otc-go-doc.json": 1,
        "functiongraph/apig-request.otc-nodejs-base64.json": 1,
        "functiongraph/apig-request.otc-nodejs-path-params.json": 1,
        "functiongraph/apig-request.otc-nodejs-plain.json": 1,
        "functiongraph/async-notification.otc-java.json": 1,
        "functiongraph/cts.huawei-cn-2021.normalized.json": 1,
        "functiongraph/cts.otc-go-doc-epoch-ms.json": 1,
        "functiongraph/cts.otc-nodejs-createfunction-epoch-ms.json": 1,
        "functiongraph/cts.otc-nodejs-epoch-seconds.json": 1,
        "functiongraph/dds.huawei-cn-2021.json": 1,
        "functiongraph/dds.otc-go-doc-json-strings.json": 1,
        "functiongraph/dds.otc-nodejs-json-strings.json": 1,
        "functiongraph/dis.huawei-cn-2021.json": 4,
        "functiongraph/dis.otc-go-doc.json": 4,
        "functiongraph/dms.huawei-cn-2021.json": 1,
        "functiongraph/eventgrid.huawei-eg-publish-wrapper.json": 1,
        "functiongraph/eventgrid.obs-dwr-cloudevent-delivered.json": 1,
        "functiongraph/kafka.huawei-cn-2021.json": 5,
        "functiongraph/kafka.huaweidocs-2021-09-records-instance-in-record.json": 5,
        "functiongraph/kafka.otc-go-doc-records.json": 5,
        "functiongraph/kafka.otc-nodejs-dms4kafka-records.json": 5,
        "functiongraph/kafka.otc-nodejs-opensource-records.json": 5,
        "functiongraph/lts.huawei-cn-2021.json": 3,
        "functiongraph/lts.otc-nodejs.json": 1,
        "functiongraph/obs.otc-go-doc-objectcreated-put.json": 1,
        "functiongraph/obs.otc-java-objectcreated-post.json": 1,
        "functiongraph/obs.otc-nodejs-objectcreated-post.json": 1,
        "functiongraph/rabbitmq.otc-nodejs-2026-withdrawn.json": 5,
        "functiongraph/rocketmq.otc-nodejs.json": 5,
        "functiongraph/smn.carrying-obs-notification.json": 1,
        "functiongraph/smn.huawei-cn-2021.json": 1,
        "functiongraph/smn.otc-go-doc-attributes-None.json": 1,
        "functiongraph/smn.otc-java.json": 1,
        "functiongraph/smn.otc-nodejs-two-records.json": 2,
        "functiongraph/smn.otc-smn-manual-attributes-empty-string.json": 1,
        "functiongraph/timer.huawei-cn-2021.normalized.json": 1,
        "functiongraph/timer.otc-go-doc.json": 1,
        "functiongraph/timer.otc-nodejs-json-user-event.json": 1,
        "functiongraph/timer.otc-nodejs-text-user-event.json": 1,
        "yandex/budget.docs.json": 1,
        "yandex/cloud-logging.logging-message-batch.json": 1,
        "yandex/cloudlogs.cloudlogs-message-batch-legacy.json": 2,
        "yandex/container-registry.create-image.json": 1,
        "yandex/data-streams.docs.json": 2,
        "yandex/iot-core.device-two-messages.json": 2,
        "yandex/mail.docs.json": 1,
        "yandex/message-queue.docs-two-messages.json": 2,
        "yandex/message-queue.extremum-seed.json": 1,
        "yandex/object-storage.objectdelete.docs.json": 1,
        "yandex/object-storage.objectdelete.extremum-seed.json": 1,
        "yandex/object-storage.objectdelete.function-ts-types.json": 1,
        "yandex/timer.docs-with-payload.json": 1,
        "yandex/timer.function-ts-types-no-payload.json": 1,
        "openwhisk/trigger-fire.alarms-default-string-payload.derived.json": 1,
        "openwhisk/trigger-fire.alarms-readme-trigger-payload.json": 1,
        "openwhisk/trigger-fire.cli-doc-params.json": 1,
        "openwhisk/trigger-fire.rest-api-doc.json": 1,
        "openwhisk/trigger-fire.rest-api-doc.derived.http": 1,
        "cloudevents/batch.empty.json": 0,
        "cloudevents/structured.data-base64-no-datacontenttype.json": 1,
        "cloudevents/structured.json-number-data.json": 1,
        "cloudevents/structured.json-object-data.json": 1,
        "cloudevents/structured.json-string-data-no-datacontenttype.json": 1,
        "cloudevents/structured.xml-string-data.json": 1,
        "cloudevents/http-binary-mode.conformance-feature.http": 1,
        "cloudevents/http-binary-mode.json-format-spec-C234.http": 1,
        "cloudevents/http-structured-mode.conformance-feature.http": 1,
    ]

    /// Samples that must be rejected: the error code and why that is right.
    static let rejected: [String: (NormalizationError.Code, String)] = [
        "functiongraph/apig-request.huawei-cn-2021.verbatim.txt": (.malformedJSON, "the published text has // comments and ellipses; its .normalized.json twin is accepted"),
        "functiongraph/apig-response.huawei-cn-2021.verbatim.txt": (.malformedJSON, "a response template with comments, not an event"),
        "functiongraph/apig-response.huawei-cn-2021.normalized.json": (.undetectedDialect, "what a function returns to APIG, not an event"),
        "functiongraph/apig-response.otc-nodejs-base64.json": (.undetectedDialect, "what a function returns to APIG, not an event"),
        "functiongraph/apig-response.otc-nodejs-plain.json": (.undetectedDialect, "what a function returns to APIG, not an event"),
        "functiongraph/cts.huawei-cn-2021.verbatim.txt": (.malformedJSON, "the published text has // comments; its .normalized.json twin is accepted"),
        "functiongraph/timer.huawei-cn-2021.verbatim.txt": (.malformedJSON, "the published text has // comments; its .normalized.json twin is accepted"),
        "yandex/iot-core.broker-two-messages.json": (.invalidBase64, "the documentation masks the payload as \"VGVz****\", which is not base64"),
        "openwhisk/feed-action.create.rest-api-doc.json": (.notAnEvent, "a feed-action invocation manages a feed; it is not an event"),
        "openwhisk/feed-action.delete.rest-api-doc.json": (.notAnEvent, "a feed-action invocation manages a feed; it is not an event"),
        "openwhisk/trigger-create.rest-api-doc.json": (.undetectedDialect, "the body of PUT .../triggers/{name}, which creates a trigger"),
        "openwhisk/trigger-create-with-feed-annotation.rest-api-doc.json": (.undetectedDialect, "the body of PUT .../triggers/{name}, which creates a trigger"),
        "openwhisk/trigger-fire.response-202.derived.json": (.undetectedDialect, "the controller's answer to a fire, not a request"),
        "openwhisk/trigger-fire.response-202.derived.http": (.undetectedDialect, "the controller's answer to a fire, not a request"),
        "cloudevents/batch.spec-two-events.json": (.invalidBase64, "the spec's first event has the placeholder data_base64 \"... base64 encoded string ...\""),
        "cloudevents/structured.binary-data-base64-placeholder.json": (.invalidBase64, "the spec's placeholder data_base64 is not base64"),
        "cloudevents/http-batched-mode.note.txt": (.malformedJSON, "a note explaining why no batched .http sample exists"),
    ]

    /// Every sample file, relative to the samples folder (the conformance suites have their own test).
    static func sampleFiles() throws -> [String] {
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { ($0.hasSuffix(".json") || $0.hasSuffix(".http") || $0.hasSuffix(".txt")) && !$0.hasPrefix("cloudevents/conformance/") }.sorted()
    }

    /// The request a sample stands for: its body plus the headers, path or dialect its platform needs.
    static func request(for file: String) throws -> IncomingEvent {
        let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
        if file.hasSuffix(".http") {
            let message = HTTPMessageFile(text: text)
            return IncomingEvent(body: message.body, headers: message.headers, path: message.path)
        }
        var event = IncomingEvent(body: Array(text.utf8))
        let name = file.split(separator: "/").last.map(String.init) ?? file
        if file.hasPrefix("openwhisk/trigger-fire."), !file.contains(".response-") { event.path = "/api/v1/namespaces/_/triggers/samples" }
        if file.hasPrefix("cloudevents/batch.") { event.headers = ["Content-Type": MediaType.cloudEventsBatchJSON] }
        if file.hasPrefix("cloudevents/structured.") { event.headers = ["Content-Type": MediaType.cloudEventsJSON] }
        if name.hasPrefix("data-streams.") { event.dialect = "yandex.datastreams" }
        return event
    }

    @Test func everySampleIsClassified() throws {
        let files = try Self.sampleFiles()
        #expect(files.count > 50, "found only \(files.count) samples under \(Self.root)")
        for file in files where (Self.accepted[file] == nil) == (Self.rejected[file] == nil) {
            Issue.record("\(file) must be listed exactly once, as accepted or rejected")
        }
        for file in Array(Self.accepted.keys) + Array(Self.rejected.keys) where !files.contains(file) {
            Issue.record("\(file) is listed but not in \(Self.root)")
        }
    }

    @Test(arguments: try SharedSamples.available ? SamplesTests.sampleFiles() : [])
    func normalizesOrRejectsForTheListedReason(_ file: String) throws {
        let event = try Self.request(for: file)
        if let count = Self.accepted[file] {
            let result = try Normalizer().normalize(event)
            #expect(result.envelopes.count == count, "\(file) gave \(result.envelopes.count) envelopes as \(result.dialect)")
        } else if let (code, reason) = Self.rejected[file] {
            let error = try #require(throws: NormalizationError.self, "\(file) should be rejected: \(reason)") {
                try Normalizer().normalize(event)
            }
            #expect(error.code == code, "\(file): \(error)")
        }
    }
}

/// Where the shared reference samples live, when this checkout has them beside it.
enum SharedSamples {
    static let root = Fixtures.repository + "/../shared/samples"
    static var available: Bool { FileManager.default.fileExists(atPath: root) }
    static var conformance: String { root + "/cloudevents/conformance" }
}
