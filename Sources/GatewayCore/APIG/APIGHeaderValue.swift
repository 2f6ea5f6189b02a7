/// The value of one header in an APIG answer: a string, or a list of strings for a header sent several
/// times (`Set-Cookie`).
public enum APIGHeaderValue: Sendable, Hashable, Codable {
    case single(String)
    case list([String])

    /// The values, one per header field.
    public var values: [String] {
        switch self {
        case .single(let value): [value]
        case .list(let values): values
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .single(value)
        } else {
            self = .list(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .single(let value): try container.encode(value)
        case .list(let values): try container.encode(values)
        }
    }
}

extension APIGHeaderValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .single(value)
    }
}
