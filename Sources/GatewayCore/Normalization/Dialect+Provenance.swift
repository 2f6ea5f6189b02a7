extension Dialect {
    /// `platform` and `trigger` of this dialect (see ``DialectInput/provenance(batchIndex:)``).
    var provenanceBase: ExtensionAttributes {
        var extensions = ExtensionAttributes()
        extensions["platform"] = .string(platform)
        extensions["trigger"] = .string(trigger)
        return extensions
    }

    /// A derived id for an event whose source gives none: the dialect name, `parts` (stable fields, the
    /// batch position, the element's bytes) and, when `timeless` (the source has no time either), the
    /// receipt time, so two separate deliveries of identical content do not collide.
    public func derivedID(_ parts: [StableIDPart], timeless: Bool = false, input: DialectInput) -> String {
        guard timeless, let receivedAt = input.event.receivedAt else { return StableID.make(parts, after: .text(name)) }
        return StableID.make(parts + [.text(receivedAt.rfc3339)], after: .text(name))
    }
}

extension ExtensionAttributes {
    /// Sets a string extension; nil and empty strings are left out.
    public mutating func set(_ name: String, _ text: String?) {
        guard let text, !text.isEmpty else { return }
        self[name] = .string(text)
    }

    /// Sets an integer extension when it fits CloudEvents' 32-bit integers, else its decimal string.
    public mutating func set(_ name: String, _ value: Int?) {
        guard let value else { return }
        self[name] = ExtensionValue.integerRange.contains(value) ? .integer(value) : .string(String(value))
    }

    /// Sets a timestamp extension in its canonical RFC 3339 form.
    public mutating func set(_ name: String, _ time: Timestamp?) {
        guard let time else { return }
        self[name] = .string(time.rfc3339)
    }

    /// Sets an extension holding compact JSON text (for maps that cannot be extensions themselves,
    /// like user-defined message attributes); empty objects and arrays, and null, are left out.
    public mutating func set(_ name: String, json: RawJSON?) {
        guard let json else { return }
        let compact = json.compactBytes
        guard !["{}", "[]", "null"].contains(where: { compact.elementsEqual($0.utf8) }) else { return }
        self[name] = .string(String(decoding: compact, as: UTF8.self))
    }
}
