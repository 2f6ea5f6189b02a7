/// FunctionGraph OBS (Object Storage Service) trigger, in the S3 notification shape:
/// `{"Records": [{"eventName": "ObjectCreated:Put", "eventTime": ..., "s3": {"bucket": {...}, "object": {"key": ...}}}]}`.
///
/// One envelope per record, `data` being the record verbatim; the type is `com.huaweicloud.obs.<eventName>`
/// and the subject the URL-decoded object key.
public struct OBS: Dialect {
    public init() {}

    public let name = "functiongraph.obs"
    public let summary = "Huawei FunctionGraph OBS trigger: S3-compatible Records[] of object events"
    public let signature: String? = "Records[] whose first element has eventName and s3 (or is empty)"
    public let detectionAnchor: String? = "Records"

    struct Event: Codable {
        var Records: [Verbatim<Record>]
    }

    struct Record: Codable {
        var awsRegion: String?
        var eventTime: Timestamp?
        var eventName: String
        /// Missing in the Node.js runtime's sample.
        var responseElements: ResponseElements?
        var s3: S3
    }

    struct ResponseElements: Codable {
        var requestID: String?
        var id2: String?

        enum CodingKeys: String, CodingKey {
            case requestID = "x-amz-request-id"
            case id2 = "x-amz-id-2"
        }
    }

    struct S3: Codable {
        var bucket: Bucket
        var object: Object
    }

    struct Bucket: Codable {
        var name: String
    }

    struct Object: Codable {
        /// URL-encoded, with `+` for a space.
        var key: String
        var sequencer: String?
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard probe.kind("Records") == .array else { return false }
        guard let (document, record) = probe.firstObject(in: "Records") else { return probe.isEmptyArray("Records") }
        return document.member("eventName", of: record) != nil && document.member("s3", of: record) != nil
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "Records")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        var envelopes: [Envelope] = []
        envelopes.reserveCapacity(event.Records.count)
        for (index, verbatim) in event.Records.enumerated() {
            let record = verbatim.value
            // Paths are built only when an error needs one.
            func path() -> String { JSONPath.element(index, of: JSONPath.member("Records", of: JSONPath.root)) }
            let bucket = record.s3.bucket.name
            let key = record.s3.object.key
            let eventName = record.eventName.hasPrefix("s3:") ? String(record.eventName.dropFirst(3)) : record.eventName
            guard !eventName.isEmpty else {
                throw .invalid(
                    path: JSONPath.member("eventName", of: path()), expected: "an event name like ObjectCreated:Put",
                    found: NormalizationError.quote(record.eventName), "the event name is empty")
            }
            guard let subject = URIReference.percentDecode(key, plusAsSpace: true) else {
                throw .invalid(
                    path: path() + ".s3.object.key", expected: "a URL-encoded UTF-8 object key", found: NormalizationError.quote(key),
                    "the object key is not valid URL encoding: a % must be followed by two hex digits and the result must be UTF-8")
            }
            let region = record.awsRegion.flatMap { $0.isEmpty ? nil : $0 }
            let id: String
            if let requestID = record.responseElements?.requestID.flatMap({ $0.isEmpty ? nil : $0 }) {
                // The request id is shared by the records of one request; the sequencer (or the host id) tells them apart.
                let distinct = [record.s3.object.sequencer, record.responseElements?.id2].lazy.compactMap { $0 }.first { !$0.isEmpty }
                id = requestID + "." + (distinct ?? String(index))
            } else {
                id = derivedID(
                    [.text(bucket), .text(key), .text(eventName), .number(index), .bytes(verbatim.raw.bytes[...])],
                    timeless: record.eventTime == nil, input: input)
            }
            var extensions = input.provenance(batchIndex: index)
            extensions.set("bucket", bucket)
            extensions.set("region", region)
            envelopes.append(
                Envelope(
                    id: id,
                    source: URIReference.path(["huaweicloud", "obs"] + (region.map { [$0] } ?? []) + [bucket]),
                    type: "com.huaweicloud.obs." + eventName,
                    subject: subject.isEmpty ? nil : subject,
                    time: record.eventTime ?? input.event.receivedAt,
                    datacontenttype: MediaType.json,
                    data: .json(verbatim.raw),
                    extensions: extensions
                ))
        }
        return envelopes
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension OBS.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(Records: members.decode("Records"))
    }
}

extension OBS.Record: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            awsRegion: members.decodeIfPresent("awsRegion"),
            eventTime: members.decodeIfPresent("eventTime"),
            eventName: members.decode("eventName"),
            responseElements: members.decodeIfPresent("responseElements"),
            s3: members.decode("s3")
        )
    }
}

extension OBS.ResponseElements: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            requestID: members.decodeIfPresent("x-amz-request-id"),
            id2: members.decodeIfPresent("x-amz-id-2")
        )
    }
}

extension OBS.S3: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            bucket: members.decode("bucket"),
            object: members.decode("object")
        )
    }
}

extension OBS.Bucket: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(name: members.decode("name"))
    }
}

extension OBS.Object: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            key: members.decode("key"),
            sequencer: members.decodeIfPresent("sequencer")
        )
    }
}
