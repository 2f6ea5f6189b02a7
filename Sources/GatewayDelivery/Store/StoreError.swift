/// A store could not do what was asked.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case invalidConfiguration = "invalid_configuration"
        /// The database holds something this version cannot read (a newer schema, a corrupt row).
        case unreadable
        /// The store was shut down.
        case closed
        /// The disk refused to write or sync what was committed.
        case unwritable
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
