/// Where the elements of a request's batch container sit in its body, and which element each envelope
/// came from: what ``Normalization/groupedBody(keeping:)`` needs to cut a body down to some of its
/// messages without rewriting the rest.
///
/// A dialect builds one in ``Dialect/batchElements(_:)``: it names the batch arrays of the JSON text
/// (the `record` array of an SMN body, a Kafka `records` array and each record's `messages`), and, for
/// every envelope in normalization order, the element it came from. An element nested in another (a
/// Kafka message in its record) names its parent: a parent is kept when any of its children is.
///
/// The text may itself sit inside the body, encoded in a string (LTS logs: base64 of JSON, where the
/// log list may again be a JSON string); ``layers`` say how to put the regrouped text back.
public struct BatchElements: Sendable {
    /// One element of a batch array.
    struct Element: Sendable {
        /// The element's JSON value in ``BatchElements/text``.
        var range: Range<Int>
        /// The element holding its array, when the array is nested in another batch array's element.
        var parent: Int?
    }

    /// One batch array: the byte range of the array value, brackets included, and its elements in order.
    struct BatchArray: Sendable {
        var range: Range<Int>
        var elements: [Int]
    }

    /// How text embedded in a string of an enclosing text is written back.
    enum Encoding: Sendable {
        /// The string holds the base64 of the text.
        case base64
        /// The string holds the text itself, JSON-escaped.
        case jsonString
    }

    /// One enclosing text: ``outer`` holds, at ``range`` (a string token, quotes included), the next
    /// text inward.
    struct Layer: Sendable {
        var outer: [UInt8]
        var range: Range<Int>
        var encoding: Encoding
    }

    /// The JSON text the element ranges refer to.
    let text: [UInt8]
    /// The texts enclosing ``text``, the request body first; empty when ``text`` is the body.
    let layers: [Layer]
    private(set) var elements: [Element] = []
    private(set) var arrays: [BatchArray] = []
    /// For each envelope, in normalization order, the element it came from.
    private(set) var envelopeElements: [Int] = []

    init(text: [UInt8], layers: [Layer] = []) {
        self.text = text
        self.layers = layers
    }

    /// Records the array node `array` of `document` (whose text is ``text``) as a batch array.
    ///
    /// - Parameter parent: the element holding the array, when it is nested in another batch array.
    /// - Returns: for each element of the array, its element number and its node in `document`.
    @discardableResult
    mutating func addArray(_ array: Int, of document: JSONDocument, parent: Int? = nil) -> [(element: Int, node: Int)] {
        var added: [(element: Int, node: Int)] = []
        for node in document.elements(of: array) {
            added.append((elements.count, node))
            elements.append(Element(range: document.byteRange(of: node), parent: parent))
        }
        arrays.append(BatchArray(range: document.byteRange(of: array), elements: added.map(\.element)))
        return added
    }

    /// Records that the next `count` envelopes came from `element`.
    mutating func addEnvelopes(from element: Int, count: Int = 1) {
        envelopeElements.append(contentsOf: repeatElement(element, count: count))
    }

    /// The elements kept when the envelopes at `envelopeIndices` are: their own elements and every
    /// element holding one of those. Indices out of range are ignored.
    func keptElements(_ envelopeIndices: [Int]) -> [Bool] {
        var kept = [Bool](repeating: false, count: elements.count)
        for index in envelopeIndices where envelopeElements.indices.contains(index) {
            var element: Int? = envelopeElements[index]
            while let current = element, !kept[current] {
                kept[current] = true
                element = elements[current].parent
            }
        }
        return kept
    }

    /// The request body with every batch array reduced to the `kept` elements.
    func body(keeping kept: [Bool]) -> [UInt8] {
        var splicer = Splicer(batch: self, kept: kept)
        splicer.write(0..<text.count)
        var body = splicer.out
        for layer in layers.reversed() { body = layer.enclose(body) }
        return body
    }
}

extension BatchElements.Layer {
    /// ``outer`` with its string at ``range`` replaced by `inner`, encoded.
    func enclose(_ inner: [UInt8]) -> [UInt8] {
        var out = Array(outer[..<range.lowerBound])
        switch encoding {
        case .base64:
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: Base64.encode(inner).utf8)
            out.append(UInt8(ascii: "\""))
        case .jsonString:
            var writer = JSONWriter()
            writer.string(String(decoding: inner, as: UTF8.self))
            out.append(contentsOf: writer.bytes)
        }
        out.append(contentsOf: outer[range.upperBound...])
        return out
    }
}

/// Copies a text, writing each batch array with only its kept elements.
///
/// Everything outside the dropped elements is copied byte for byte: the text around the arrays, the
/// kept elements, the whitespace after `[` and before `]`, and the separator (comma and whitespace)
/// that came before each kept element, so the result keeps the original layout.
private struct Splicer {
    let batch: BatchElements
    let kept: [Bool]
    /// Batch arrays by start offset.
    let order: [Int]
    var out: [UInt8] = []

    init(batch: BatchElements, kept: [Bool]) {
        self.batch = batch
        self.kept = kept
        self.order = batch.arrays.indices.sorted { batch.arrays[$0].range.lowerBound < batch.arrays[$1].range.lowerBound }
        out.reserveCapacity(batch.text.count)
    }

    /// Writes `range` of the text, splicing the batch arrays inside it.
    mutating func write(_ range: Range<Int>) {
        var cursor = range.lowerBound
        // Arrays nested in an element are reached when that element is written, not here: after an array
        // the cursor is past everything inside it.
        for array in order where batch.arrays[array].range.lowerBound >= cursor && batch.arrays[array].range.upperBound <= range.upperBound {
            out.append(contentsOf: batch.text[cursor..<batch.arrays[array].range.lowerBound])
            writeArray(array)
            cursor = batch.arrays[array].range.upperBound
        }
        out.append(contentsOf: batch.text[cursor..<range.upperBound])
    }

    private mutating func writeArray(_ index: Int) {
        let array = batch.arrays[index]
        let members = array.elements.map { batch.elements[$0].range }
        let keptPositions = array.elements.indices.filter { kept[array.elements[$0]] }
        let text = batch.text
        guard let first = members.first, let last = members.last else {
            out.append(contentsOf: text[array.range])
            return
        }
        guard !keptPositions.isEmpty else {
            out.append(contentsOf: Array("[]".utf8))
            return
        }
        // `[` and the whitespace before the first element.
        out.append(contentsOf: text[array.range.lowerBound..<first.lowerBound])
        for (count, position) in keptPositions.enumerated() {
            if count > 0 { out.append(contentsOf: text[members[position - 1].upperBound..<members[position].lowerBound]) }
            write(members[position])
        }
        // The whitespace after the last element and `]`.
        out.append(contentsOf: text[last.upperBound..<array.range.upperBound])
    }
}

extension DialectInput {
    /// The batch whose envelopes are, one each, the elements of the array at the member path `keys`
    /// (`"record"`, or `"Message", "records"`); nil when there is no array there.
    func batch(ofArrayAt keys: String...) -> BatchElements? {
        let document = json
        var node = document.root
        for key in keys {
            guard let next = document.member(key, of: node) else { return nil }
            node = next
        }
        return BatchElements.onePerElement(of: node, in: document)
    }
}

extension BatchElements {
    /// The batch whose envelopes are, one each, the elements of the array node `array` of `document`.
    static func onePerElement(of array: Int, in document: JSONDocument, layers: [Layer] = []) -> BatchElements? {
        guard document[array].kind == .array else { return nil }
        var batch = BatchElements(text: document.bytes, layers: layers)
        for (element, _) in batch.addArray(array, of: document) { batch.addEnvelopes(from: element) }
        return batch
    }
}

extension JSONDocument {
    /// The bytes of the value at `index` in ``bytes``.
    func byteRange(of index: Int) -> Range<Int> {
        Int(self[index].start)..<Int(self[index].end)
    }
}
