package import GatewayCore

/// The stored form read straight from the parsed row, as every claimed delivery reads it: through
/// `Decoder`'s containers, with each envelope's JSON parsed a second time, it was a quarter of a queued
/// delivery's CPU. Reads what `Decodable` reads, with errors that name the JSON path
/// (`$.envelopes[0].id`).
extension Invocation: DocumentObjectDecodable {
    package init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(members: members, function: try Self.function(members))
    }

    /// Reads a stored form that holds its function in full or names its definition, and its payload's
    /// bytes in base64 or apart (`payload`): `definition` gives the function of an id, nil when it knows
    /// none.
    ///
    /// - Throws: ``NormalizationError`` with the JSON path of what does not read; `invalid_value` at
    ///   `$.definition` for a definition `definition` does not know; `missing_field` for a payload
    ///   without its bytes in either place.
    package init(stored bytes: [UInt8], payload: [UInt8]?, definition: (String) -> FunctionSpec?) throws(NormalizationError) {
        let document = try JSONDocument(bytes: bytes)
        let members = try JSONObjectReader(document: document, node: 0)
        let key = CodingKeys.definition.rawValue
        let function: FunctionSpec
        if let id = try members.decodeIfPresent(key, as: String.self) {
            guard let known = definition(id) else {
                throw NormalizationError(.invalidValue, "no function definition \(id) is stored", path: members.path(of: key))
            }
            function = known
        } else {
            function = try Self.function(members)
        }
        try self.init(members: members, function: function, apart: payload)
    }

    private init(members: JSONObjectReader, function: FunctionSpec, apart: [UInt8]? = nil) throws(NormalizationError) {
        self.init(
            function: function, topics: try members.decode(CodingKeys.topics.rawValue),
            envelopes: try members.decode(CodingKeys.envelopes.rawValue, as: [StoredEnvelope].self).map(\.envelope),
            payload: try Self.payload(members, apart: apart),
            headers: try members.decode(CodingKeys.headers.rawValue, as: [CodableHeader].self).map(\.field),
            id: try members.decode(CodingKeys.id.rawValue))
    }

    /// The payload, its bytes in base64 in the form or else `apart`.
    private static func payload(_ members: JSONObjectReader, apart: [UInt8]?) throws(NormalizationError) -> Payload? {
        let key = CodingKeys.payload.rawValue
        guard let stored = try members.decodeIfPresent(key, as: StoredPayload.self) else { return nil }
        if let bytes = stored.bytes { return Payload(bytes: bytes, contentType: stored.contentType) }
        guard let apart else { throw .missing(StoredPayload.CodingKeys.base64.rawValue, in: members.path(of: key)) }
        return Payload(bytes: apart, contentType: stored.contentType)
    }

    /// The function, from the cache when its form was read before.
    private static func function(_ members: JSONObjectReader) throws(NormalizationError) -> FunctionSpec {
        let key = CodingKeys.function.rawValue
        let node = try members.node(of: key)
        do {
            return try StoredFunctionCache.shared.function(RawJSON(document: members.document, node: node)) {
                try members.document.decode(StoredFunction.self, at: node).spec(codingPath: [])
            }
        } catch let error as NormalizationError {
            throw error
        } catch {
            // `spec` refuses a target, mode or body format it does not know, saying which in the description.
            let message = if case DecodingError.dataCorrupted(let context) = error { context.debugDescription } else { "\(error)" }
            throw NormalizationError(.invalidValue, message, path: members.path(of: key))
        }
    }

    /// An envelope as its CloudEvents JSON object, or as a string holding it (earlier versions).
    struct StoredEnvelope: DocumentDecodable {
        var envelope: Envelope

        init(document: JSONDocument, node: Int) throws(NormalizationError) {
            do {
                envelope = try Envelope(cloudEventJSON: document, node: node)
            } catch {
                guard let text = try? String(document: document, node: node) else { throw error }
                envelope = try Envelope(cloudEventJSON: Array(text.utf8))
            }
        }

        /// Reads the value's text as the stores do.
        init(from decoder: any Decoder) throws {
            let stored = try decoder.singleValueContainer().decode(RawJSON.self)
            do {
                try self.init(document: JSONDocument(bytes: stored.bytes), node: 0)
            } catch {
                // The envelope's error names a path inside it; the coding path says which envelope.
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)", underlyingError: error))
            }
        }
    }

    /// The trigger's body in base64, and its content type.
    struct StoredPayload: DocumentObjectDecodable {
        enum CodingKeys: String, CodingKey {
            case base64, contentType
        }

        /// Nil when they are stored apart.
        var bytes: [UInt8]?
        var contentType: String?

        /// The payload of a form that holds its bytes.
        var payload: Payload {
            get throws(DecodingError) {
                guard let bytes else {
                    throw DecodingError.keyNotFound(CodingKeys.base64, .init(codingPath: [], debugDescription: "the payload's bytes are not in the stored form"))
                }
                return Payload(bytes: bytes, contentType: contentType)
            }
        }

        init(members: JSONObjectReader) throws(NormalizationError) {
            bytes = try members.decodeIfPresent(CodingKeys.base64.rawValue, as: Base64Bytes.self)?.bytes
            contentType = try members.decodeIfPresent(CodingKeys.contentType.rawValue)
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            bytes = try container.decodeIfPresent(Base64Bytes.self, forKey: .base64)?.bytes
            contentType = try container.decodeIfPresent(String.self, forKey: .contentType)
        }
    }
}
