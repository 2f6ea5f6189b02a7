/// One event in the CloudEvents JSON format, as it arrives: attributes by name, `data` kept as text.
struct CloudEventJSON: Decodable {
    /// How strictly to apply the specification.
    enum Rules {
        /// Every rule, as the conformance suite requires (`application/cloudevents+json`).
        case strict
        /// Empty optional attributes are dropped with a warning instead of failing: vendors send
        /// `"dataschema": ""` (Huawei EventGrid) in CloudEvents posted as `application/json`.
        case lenient
    }

    /// Attributes other than `data`, in document order.
    var attributes: [(name: String, value: JSONValue)] = []
    /// `data` when present and not null.
    var data: RawJSON?
    /// The document and node the event was read from: its JSON path is built only for an error.
    private var origin: (document: JSONDocument, node: Int)?

    /// JSON path of the event, for errors.
    var path: String { origin.map { $0.document.path(of: $0.node) } ?? JSONPath.root }

    init(from decoder: any Decoder) throws {
        if let decoder = decoder as? DocumentDecoder {
            self = try Self.read(decoder.document, decoder.node)
            return
        }
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
            if key.stringValue == "data" {
                let raw = try container.decode(RawJSON.self, forKey: key)
                data = raw.bytes == Array("null".utf8) ? nil : raw
            } else {
                attributes.append((key.stringValue, try container.decode(JSONValue.self, forKey: key)))
            }
        }
    }

    /// Reads the members straight from the document (the path every request takes).
    private static func read(_ document: JSONDocument, _ node: Int) throws(NormalizationError) -> CloudEventJSON {
        guard document[node].kind == .object else {
            throw NormalizationError(
                .invalidCloudEvent, "a CloudEvent must be a JSON object, found \(document.describe(node))",
                path: document.path(of: node), expected: "an object", found: document.describe(node))
        }
        var event = CloudEventJSON()
        event.origin = (document, node)
        event.attributes.reserveCapacity(Int(document[node].count))
        for member in document.members(of: node) {
            let name = document.string(at: member.key)
            if name == "data" {
                event.data = document[member.value].kind == .null ? nil : RawJSON(document, member.value)
            } else {
                event.attributes.append((name, JSONValue(document, member.value)))
            }
        }
        return event
    }

    private init() {}

    /// Checks the event against the specification and builds the envelope.
    ///
    /// - Returns: the envelope and warnings about attributes the lenient rules dropped.
    func envelope(rules: Rules) throws(NormalizationError) -> (envelope: Envelope, warnings: [String]) {
        var warnings: [String] = []
        // Plain locals rather than dictionaries: this runs for every CloudEvent.
        var specversion, id, source, type, subject, datacontenttype, dataschema: String?
        var extensions = ExtensionAttributes()
        var time: Timestamp?
        var dataBase64: [UInt8]?
        for (name, value) in attributes {
            // Paths are built only when an error needs one (the helpers take them as autoclosures).
            func path() -> String { JSONPath.member(name, of: self.path) }
            switch name {
            case "specversion": specversion = try requiredString(value, path: path())
            case "id": id = try requiredString(value, path: path())
            case "source": source = try requiredString(value, path: path())
            case "type": type = try requiredString(value, path: path())
            case "subject", "datacontenttype", "dataschema", "time":
                guard let text = try optionalString(value, path: path()) else { continue }
                if text.isEmpty, rules == .lenient {
                    warnings.append("\(path()): dropped the empty optional attribute \"\(name)\"")
                    continue
                }
                switch name {
                case "time":
                    guard let parsed = Timestamp(rfc3339: text) else {
                        throw violation(path(), "\"time\" must be an RFC 3339 timestamp", expected: "an RFC 3339 timestamp", found: value)
                    }
                    time = parsed
                case "subject":
                    try check(name, text, value: value, path: path())
                    subject = text
                case "datacontenttype":
                    try check(name, text, value: value, path: path())
                    datacontenttype = text
                default:
                    try check(name, text, value: value, path: path())
                    dataschema = text
                }
            case "data_base64":
                guard case .string(let text) = value else {
                    if value == .null { continue }
                    throw violation(path(), "\"data_base64\" must be a string", expected: "a base64 string", found: value)
                }
                guard let bytes = Base64.decode(text) else {
                    throw NormalizationError(.invalidBase64, "\"data_base64\" is not valid base64", path: path(), expected: "base64 text", found: NormalizationError.quote(text))
                }
                dataBase64 = bytes
            default:
                if let value = try extensionValue(name, value, path: path()) { extensions[name] = value }
            }
        }
        let version = try present("specversion", specversion)
        let (eventID, eventSource, eventType) = (try present("id", id), try present("source", source), try present("type", type))
        guard version == Envelope.specVersion else {
            throw violation(JSONPath.member("specversion", of: path), "only CloudEvents specversion \"1.0\" is supported", expected: "\"1.0\"", found: .string(version))
        }
        if data != nil, dataBase64 != nil {
            throw NormalizationError(.invalidCloudEvent, "an event must not carry both \"data\" and \"data_base64\"", path: JSONPath.member("data_base64", of: path), expected: "one of data or data_base64", found: "both")
        }
        var envelope = Envelope(
            id: eventID, source: eventSource, type: eventType, subject: subject, time: time, datacontenttype: datacontenttype,
            dataschema: dataschema, extensions: extensions
        )
        if let dataBase64 {
            envelope.data = .binary(dataBase64)
        } else if let data {
            envelope.data = try payload(data, contentType: envelope.datacontenttype, rules: rules)
        }
        return (envelope, warnings)
    }

    /// `data` under its content type: JSON types (or none) keep the JSON value; other types expect a string.
    private func payload(_ data: RawJSON, contentType: String?, rules: Rules) throws(NormalizationError) -> EventData {
        guard let contentType, !MediaType.isJSON(contentType) else { return .json(data) }
        if case .string(let text) = data.value { return .text(text) }
        guard rules == .lenient else {
            throw NormalizationError(
                .invalidCloudEvent, "with datacontenttype \(NormalizationError.quote(contentType)) \"data\" must be a string",
                path: JSONPath.member("data", of: path), expected: "a string", found: "JSON \(data.value.kindDescription)")
        }
        return .json(data)
    }

    /// A required attribute's value, or the error for its absence.
    private func present(_ name: String, _ value: String?) throws(NormalizationError) -> String {
        guard let value else {
            throw NormalizationError(
                .invalidCloudEvent, "the required attribute \"\(name)\" is missing", path: JSONPath.member(name, of: path), expected: "a non-empty string",
                found: "nothing")
        }
        return value
    }

    private func requiredString(_ value: JSONValue, path: @autoclosure () -> String) throws(NormalizationError) -> String {
        guard case .string(let text) = value, !text.isEmpty else {
            throw violation(path(), "a required attribute must be a non-empty string", expected: "a non-empty string", found: value)
        }
        return text
    }

    private func optionalString(_ value: JSONValue, path: @autoclosure () -> String) throws(NormalizationError) -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text
        default: throw violation(path(), "an optional attribute must be a string or null", expected: "a string", found: value)
        }
    }

    private func check(_ name: String, _ text: String, value: JSONValue, path: @autoclosure () -> String) throws(NormalizationError) {
        guard !text.isEmpty else {
            throw violation(path(), "\"\(name)\" must not be empty; leave it out instead", expected: "a non-empty string", found: value)
        }
        if name == "datacontenttype", !MediaType.isValid(text) {
            throw violation(path(), "\"datacontenttype\" must be an RFC 2046 media type such as application/json", expected: "type/subtype", found: value)
        }
        if name == "dataschema", !URIReference.isAbsoluteURI(text) {
            throw violation(path(), "\"dataschema\" must be an absolute URI", expected: "an absolute URI", found: value)
        }
    }

    private func extensionValue(_ name: String, _ value: JSONValue, path: @autoclosure () -> String) throws(NormalizationError) -> ExtensionValue? {
        guard Envelope.isValidAttributeName(name) else {
            throw NormalizationError(
                .invalidCloudEvent, "extension name \(NormalizationError.quote(name)) is invalid: use lower-case letters a-z and digits only",
                path: path(), expected: "a name of [a-z0-9]", found: NormalizationError.quote(name))
        }
        switch value {
        case .null: return nil
        case .string(let text): return .string(text)
        case .bool(let flag): return .boolean(flag)
        case .number(let number):
            guard let integer = number.int64.flatMap(Int.init(exactly:)), ExtensionValue.integerRange.contains(integer) else {
                throw violation(path(), "an extension number must be a 32-bit integer", expected: "a 32-bit integer", found: value)
            }
            return .integer(integer)
        case .array, .object:
            throw violation(path(), "an extension value must be a string, an integer or a boolean", expected: "a string, integer or boolean", found: value)
        }
    }

    private func violation(_ path: String, _ message: String, expected: String, found: JSONValue) -> NormalizationError {
        NormalizationError(.invalidCloudEvent, message, path: path, expected: expected, found: found.shortDescription)
    }
}

extension JSONValue {
    /// The kind for messages: "string", "object"...
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// A short rendering for error messages.
    var shortDescription: String {
        switch self {
        case .string(let text): NormalizationError.quote(text)
        case .number(let number): "number " + number.text
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension CloudEventJSON: DocumentDecodable {
    init(document: JSONDocument, node: Int) throws(NormalizationError) {
        self = try Self.read(document, node)
    }
}
