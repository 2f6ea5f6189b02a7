import GatewayCore
import Synchronization

/// Functions in their stored form and back, remembered: every stored invocation carries its function in
/// full, and writing and reading it again for each one was a third of the work of storing an
/// invocation and of reading it back.
final class StoredFunctionCache: Sendable {
    /// The one the stored form uses.
    static let shared = StoredFunctionCache()

    /// Forms remembered each way; past it, the cache starts over (functions come and go with reloads).
    static let limit = 256

    /// A function's stored form and the id of that form as a definition.
    struct Definition: Sendable {
        var id: String
        var form: RawJSON
    }

    private struct Entries {
        var forms: [FunctionSpec: Definition] = [:]
        var functions: [Form: FunctionSpec] = [:]
    }

    /// A stored form's text, hashed as one buffer (an array hashes byte by byte), and without the
    /// document it was read from.
    private struct Form: Hashable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    private let entries = Mutex(Entries())

    /// The stored form of `function`; nil in the unexpected case that the writer's output does not
    /// read back as JSON (the caller then writes the function itself).
    func form(of function: FunctionSpec) -> RawJSON? {
        definition(of: function)?.form
    }

    /// The stored form of `function` and its id as a definition: a hash of the form, so that every
    /// process names the same form alike. Nil as for ``form(of:)``.
    func definition(of function: FunctionSpec) -> Definition? {
        if let definition = entries.withLock({ $0.forms[function] }) { return definition }
        var writer = JSONWriter()
        StoredFunction(function).write(to: &writer)
        // Checked once per function.
        guard let form = try? RawJSON(validating: writer.bytes) else { return nil }
        let definition = Definition(id: StableID.make([.text("function definition"), .bytes(form.bytes[...])]), form: form)
        entries.withLock { entries in
            if entries.forms.count >= Self.limit { entries.forms = [:] }
            entries.forms[function] = definition
        }
        return definition
    }

    /// The function stored as `form`; `read` reads it when the form is new.
    func function(_ form: RawJSON, read: () throws -> FunctionSpec) rethrows -> FunctionSpec {
        let key = Form(bytes: form.bytes)
        if let function = entries.withLock({ $0.functions[key] }) { return function }
        let function = try read()
        entries.withLock { entries in
            if entries.functions.count >= Self.limit { entries.functions = [:] }
            entries.functions[key] = function
        }
        return function
    }
}
