import GatewayCore

extension Envelope {
    /// The event in CloudEvents HTTP binary mode: attributes as `ce-*` headers (values percent-encoded
    /// as the binding requires), `datacontenttype` as the content type, `data` as the body.
    ///
    /// JSON data without a `datacontenttype` is sent as `application/json` (the JSON format implies
    /// it); an event without data has an empty body and no content type.
    var binaryMode: (headers: [HeaderField], contentType: String?, body: [UInt8]) {
        var headers = [
            HeaderField("ce-specversion", specversion), HeaderField("ce-id", Self.headerValue(id)),
            HeaderField("ce-source", Self.headerValue(source)), HeaderField("ce-type", Self.headerValue(type)),
        ]
        if let subject { headers.append(HeaderField("ce-subject", Self.headerValue(subject))) }
        if let time { headers.append(HeaderField("ce-time", time.rfc3339)) }
        if let dataschema { headers.append(HeaderField("ce-dataschema", Self.headerValue(dataschema))) }
        for (name, value) in extensions { headers.append(HeaderField("ce-" + name, Self.headerValue(value.description))) }
        switch data {
        case .json(let json): return (headers, datacontenttype ?? MediaType.json, json.bytes)
        case .text(let text): return (headers, datacontenttype, Array(text.utf8))
        case .binary(let bytes): return (headers, datacontenttype, bytes)
        case nil: return (headers, datacontenttype, [])
        }
    }

    /// Percent-encodes what the HTTP binding says must be: space, `"`, `%`, and every byte outside
    /// printable ASCII (the UTF-8 of other characters).
    static func headerValue(_ text: String) -> String {
        let mustEncode: (UInt8) -> Bool = { $0 <= 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "%") }
        guard text.utf8.contains(where: mustEncode) else { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            if mustEncode(byte) {
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
