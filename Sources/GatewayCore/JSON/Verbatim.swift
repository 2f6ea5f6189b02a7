/// A decoded wire value together with its JSON text, read in one pass over the same node.
///
/// Dialects decode the few fields the envelope needs into `value` and hand `raw` on as `data`.
struct Verbatim<Value: Decodable>: Decodable {
    let value: Value
    let raw: RawJSON

    init(value: Value, raw: RawJSON) {
        self.value = value
        self.raw = raw
    }

    init(from decoder: any Decoder) throws {
        value = try Value(from: decoder)
        raw = try RawJSON(from: decoder)
    }
}

extension Verbatim: Encodable where Value: Encodable {
    func encode(to encoder: any Encoder) throws {
        try raw.encode(to: encoder)
    }
}
