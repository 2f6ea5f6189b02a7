extension Normalization {
    /// The request body cut down to the messages of some envelopes: the batch's own container holding
    /// only the elements those envelopes came from, in their original order (the extremum model, where
    /// each function gets one call with the messages it subscribed to).
    ///
    /// Everything else is kept byte for byte: the members around the batch array, the kept elements'
    /// own text, and the whitespace and commas between them. Where several envelopes come from one
    /// element (a Yandex Cloud Logging message and its entries), keeping any of them keeps the element;
    /// a nested element (a Kafka message) keeps the record holding it, and a record left with no kept
    /// message is dropped. LTS logs, which travel as base64 of JSON, are regrouped in the decoded log
    /// list and encoded again.
    ///
    /// The body parses again here, so normalization itself pays nothing for grouping.
    ///
    /// - Parameter envelopeIndices: positions in ``envelopes`` as normalized; others are ignored.
    /// - Returns: the original body when the dialect has no batch container (a single event) or when
    ///   every envelope is kept.
    public func groupedBody(keeping envelopeIndices: [Int]) -> [UInt8] {
        guard !keepsEverything(envelopeIndices), let batch = batchElements() else { return request.body }
        return batch.body(keeping: batch.keptElements(envelopeIndices))
    }

    /// The envelopes ``groupedBody(keeping:)`` carries for `envelopeIndices`, in order: those kept and
    /// those that share an element with one of them (every envelope when the body is not cut down).
    public func groupedEnvelopes(keeping envelopeIndices: [Int]) -> [Int] {
        guard !keepsEverything(envelopeIndices), let batch = batchElements() else { return Array(envelopes.indices) }
        let kept = batch.keptElements(envelopeIndices)
        return envelopes.indices.filter { kept[batch.envelopeElements[$0]] }
    }

    /// Whether the request is a batch container that ``groupedBody(keeping:)`` can cut down (its dialect
    /// has one and it accounts for the envelopes). Parses the body again.
    public var isBatch: Bool { batchElements() != nil }

    private func keepsEverything(_ envelopeIndices: [Int]) -> Bool {
        var seen = [Bool](repeating: false, count: envelopes.count)
        for index in envelopeIndices where envelopes.indices.contains(index) { seen[index] = true }
        return !seen.contains(false)
    }

    /// The dialect's batch layout of the request, or nil when it has none or it does not account for
    /// exactly the normalized envelopes (then the whole body is sent: extra messages rather than lost ones).
    private func batchElements() -> BatchElements? {
        guard reader.body != .bytes, let document = try? JSONDocument(bytes: request.body) else { return nil }
        let input = DialectInput(event: request, document: document, base: ExtensionAttributes(), sink: WarningSink())
        guard let batch = reader.batchElements(input), batch.envelopeElements.count == envelopes.count else { return nil }
        return batch
    }
}
