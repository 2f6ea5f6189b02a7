/// One value a path reaches in an envelope, and where it sits in the arrays along the path.
struct FieldValue: Sendable {
  enum Kind: Sendable {
    case string(String)
    /// The number's text, as written (parsed into a ``DecimalNumber`` only when a test needs it).
    case number(Substring)
    case bool(Bool)
    case null
    /// An object or array: present, but no scalar.
    case structure
  }

  var kind: Kind
  /// (array node, element position) for every array entered on the way, outermost first; two tests
  /// inside one array element must see equal positions for the arrays they share.
  var trail: [ArrayStep]

  struct ArrayStep: Sendable, Hashable {
    var array: Int
    var position: Int
  }

  /// Whether two values can belong to the same array elements.
  static func consistent(_ lhs: [ArrayStep], _ rhs: [ArrayStep]) -> Bool {
    for step in lhs {
      if let other = rhs.first(where: { $0.array == step.array }), other.position != step.position {
        return false
      }
    }
    return true
  }

  var isNull: Bool {
    if case .null = kind { true } else { false }
  }

  /// The value as a decimal: numbers, and strings holding a number ("numbers sent as strings").
  var decimal: DecimalNumber? {
    switch kind {
    case .number(let text): DecimalNumber(text)
    case .string(let text): DecimalNumber(text)
    default: nil
    }
  }

  /// A readable rendering for explanations.
  var description: String {
    switch kind {
    case .string(let text): NormalizationError.quote(text)
    case .number(let text): String(text)
    case .bool(let flag): flag ? "true" : "false"
    case .null: "null"
    case .structure: "an object or array"
    }
  }
}

extension Envelope {
  /// Every value `path` reaches, in document order (empty when the path reaches nothing).
  func values(at path: FieldPath) -> [FieldValue] {
    values(at: FieldAccessor(path))
  }

  /// Every value an accessor reaches, in document order.
  func values(at accessor: FieldAccessor) -> [FieldValue] {
    var values: [FieldValue] = []
    appendValues(at: accessor, to: &values)
    return values
  }

  /// Appends the values an accessor reaches.
  func appendValues(at accessor: FieldAccessor, to values: inout [FieldValue]) {
    switch accessor {
    case .extensionNamed(let name):
      if let kind = extensionValue(name) { values.append(FieldValue(kind: kind, trail: [])) }
    case .data(let keys):
      appendData(keys, to: &values)
    default:
      if let text = attributeText(accessor) { values.append(FieldValue(kind: .string(text), trail: [])) }
    }
  }

  /// The text of an attribute's accessor; nil when the attribute is absent, and for extension and
  /// data accessors.
  func attributeText(_ accessor: FieldAccessor) -> String? {
    var text: String?
    withAttributeText(accessor) { text = $0 }
    return text
  }

  func hasAttribute(_ accessor: FieldAccessor) -> Bool {
    var present = false
    withAttributeText(accessor) { _ in present = true }
    return present
  }

  /// Calls `body` with the text of an attribute's accessor, when the attribute is present; lends the
  /// stored string rather than returning a copy (a retain and a release per field and event).
  func withAttributeText(_ accessor: FieldAccessor, _ body: (String) -> Void) {
    switch accessor {
    case .id: body(id)
    case .source: body(source)
    case .specversion: body(specversion)
    case .type: body(type)
    case .subject: if let subject { body(subject) }
    case .time: if let time { body(time.rfc3339) }
    case .datacontenttype: if let datacontenttype { body(datacontenttype) }
    case .dataschema: if let dataschema { body(dataschema) }
    case .extensionNamed, .data: break
    }
  }

  /// Extension `name` as a field value.
  func extensionValue(_ name: String) -> FieldValue.Kind? {
    switch extensions[name] {
    case .string(let text)?: .string(text)
    case .integer(let number)?: .number(Substring(String(number)))
    case .boolean(let flag)?: .bool(flag)
    case nil: nil
    }
  }

  private func appendData(_ keys: [String], to values: inout [FieldValue]) {
    switch data {
    case .json(let raw)?:
      let (document, node) = raw.parsed
      FieldValue.collect(document, node, keys[...], [], into: &values)
    case .text(let text)?:
      if keys.isEmpty { values.append(FieldValue(kind: .string(text), trail: [])) }
    case .binary?, nil:
      break
    }
  }

  func attribute(_ name: String) -> String? {
    switch name {
    case "id": id
    case "source": source
    case "specversion": specversion
    case "type": type
    case "subject": subject
    case "time": time?.rfc3339
    case "datacontenttype": datacontenttype
    case "dataschema": dataschema
    default: nil
    }
  }
}

extension FieldValue {
  /// Walks `keys` from `node`, entering arrays (recording their positions) and collecting leaves.
  static func collect(
    _ document: JSONDocument, _ node: Int, _ keys: ArraySlice<String>, _ trail: [ArrayStep],
    into values: inout [FieldValue]
  ) {
    let kind = document[node].kind
    if kind == .array {
      for (position, element) in document.elements(of: node).enumerated() {
        collect(
          document, element, keys, trail + [ArrayStep(array: node, position: position)],
          into: &values)
      }
      return
    }
    guard let key = keys.first else {
      values.append(FieldValue(kind: leaf(document, node), trail: trail))
      return
    }
    guard kind == .object, let member = document.member(key, of: node) else { return }
    collect(document, member, keys.dropFirst(), trail, into: &values)
  }

  static func leaf(_ document: JSONDocument, _ node: Int) -> Kind {
    switch document[node].kind {
    case .string: .string(document.string(at: node))
    case .number: .number(document.numberText(at: node))
    case .true: .bool(true)
    case .false: .bool(false)
    case .null: .null
    case .array, .object: .structure
    }
  }
}

/// A path resolved once into how to read it from an envelope (no name comparisons per event).
enum FieldAccessor: Sendable {
  case id, source, specversion, type, subject, time, datacontenttype, dataschema
  case extensionNamed(String)
  case data([String])

  init(_ path: FieldPath) {
    switch path.root {
    case .attribute(let name):
      self =
        switch name {
        case "id": .id
        case "source": .source
        case "specversion": .specversion
        case "type": .type
        case "subject": .subject
        case "time": .time
        case "datacontenttype": .datacontenttype
        default: .dataschema
        }
    case .extension(let name): self = .extensionNamed(name)
    case .data: self = .data(path.keys)
    }
  }
}
