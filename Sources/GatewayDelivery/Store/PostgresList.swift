import NIOCore
import PostgresNIO

/// A list of values bound as one PostgreSQL array (`text[]`, `bigint[]` or `bytea[]`), nulls included, which
/// postgres-nio's own arrays do not take.
struct PostgresList: PostgresThrowingDynamicTypeEncodable {
    let values: [SQLValue]
    let type: SQLColumnType

    var psqlType: PostgresDataType {
        switch type {
        case .text: .textArray
        case .bigint: .int8Array
        case .bytea: .byteaArray
        }
    }

    var psqlFormat: PostgresFormat { .binary }

    /// The binary form `array_recv` reads: dimensions, a null flag, the element type, each dimension's
    /// length and lower bound, then each element's length (-1 for null) and bytes.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        let element: PostgresDataType = switch type {
        case .text: .text
        case .bigint: .int8
        case .bytea: .bytea
        }
        buffer.writeInteger(Int32(values.isEmpty ? 0 : 1))
        buffer.writeInteger(Int32(values.contains(.null) ? 1 : 0))
        buffer.writeInteger(element.rawValue)
        if !values.isEmpty {
            buffer.writeInteger(Int32(values.count))
            buffer.writeInteger(Int32(1))
        }
        for value in values {
            switch (value, type) {
            case (.null, _):
                buffer.writeInteger(Int32(-1))
            case (.integer(let number), .bigint):
                buffer.writeInteger(Int32(8))
                buffer.writeInteger(number)
            case (.text(let text), .text):
                buffer.writeInteger(Int32(text.utf8.count))
                buffer.writeString(text)
            case (.bytes(let bytes), .bytea):
                buffer.writeInteger(Int32(bytes.count))
                buffer.writeBytes(bytes)
            default:
                throw StoreError(.unwritable, "a \(type.rawValue) list holds \(value)")
            }
        }
    }
}
