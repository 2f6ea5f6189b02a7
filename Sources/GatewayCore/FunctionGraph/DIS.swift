/// FunctionGraph DIS (Data Ingestion Service) trigger: one shard's batch,
/// `{"ShardID": ..., "StreamName": ..., "Message": {"records": [{"partition_key": ..., "data": "<base64>", "sequence_number": "0"}]}}`.
///
/// One envelope per record, identified by stream, shard and sequence number; the decoded `data` bytes
/// become JSON, text or binary `data`.
public struct DIS: Dialect {
    public init() {}

    public let name = "functiongraph.dis"
    public let summary = "Huawei FunctionGraph DIS trigger: Message.records[] of one stream shard"
    public let signature: String? = "ShardID, StreamName and Message.records"
    public let detectionAnchor: String? = "ShardID"

    struct Event: Decodable {
        var ShardID: String
        var StreamName: String
        var Tag: String?
        var Message: Batch
    }

    struct Batch: Decodable {
        var records: [Record]
    }

    struct Record: Decodable {
        var partition_key: String?
        var data: Base64Bytes
        var sequence_number: SequenceNumber
    }

    /// A sequence number: a decimal string on the wire, though the docs type it as an integer, so a JSON
    /// number is read as its text.
    struct SequenceNumber: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            if let decoder = decoder as? DocumentDecoder {
                self = try Self(document: decoder.document, node: decoder.node)
                return
            }
            let single = try decoder.singleValueContainer()
            if let number = try? single.decode(Int64.self) {
                text = String(number)
            } else {
                text = try single.decode(String.self)
            }
        }

        /// The CloudEvents `sequence` value: digits left-padded with zeros to 20 characters, so that
        /// lexical order (the extension's) is numeric order; anything else verbatim.
        init(document: JSONDocument, node: Int) throws(NormalizationError) {
            switch document[node].kind {
            case .string: text = document.string(at: node)
            case .number: text = String(document.numberText(at: node))
            default:
                throw NormalizationError.typeMismatch(path: document.path(of: node), expected: "a string or a number", found: document.describe(node))
            }
        }

        var sequence: String {
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return text }
            return text.leftPadded(to: 20)
        }
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        guard probe.kind("ShardID") != nil, probe.kind("StreamName") != nil else { return false }
        return probe.kind("Message", "records") != nil
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "Message", "records")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        let source = URIReference.path("huaweicloud", "dis", "streams", event.StreamName)
        let idPrefix = event.StreamName + "/" + event.ShardID + "/"
        var shared = input.provenance()
        shared.set("shardid", event.ShardID)
        shared.set("streamname", event.StreamName)
        shared.set("tag", event.Tag)
        return event.Message.records.enumerated().map { index, record in
            let (data, contentType) = EventData.fromBytes(record.data.bytes)
            var extensions = shared
            extensions["batchindex"] = .integer(index)
            extensions.set("partitionkey", record.partition_key)
            extensions.set("sequence", record.sequence_number.sequence)
            return Envelope(
                id: idPrefix + record.sequence_number.text,
                source: source,
                type: "com.huaweicloud.dis.record",
                time: input.event.receivedAt,
                datacontenttype: contentType,
                data: data,
                extensions: extensions
            )
        }
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension DIS.SequenceNumber: DocumentDecodable {}

extension DIS.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            ShardID: members.decode("ShardID"),
            StreamName: members.decode("StreamName"),
            Tag: members.decodeIfPresent("Tag"),
            Message: members.decode("Message")
        )
    }
}

extension DIS.Batch: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(records: members.decode("records"))
    }
}

extension DIS.Record: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            partition_key: members.decodeIfPresent("partition_key"),
            data: members.decode("data"),
            sequence_number: members.decode("sequence_number")
        )
    }
}
