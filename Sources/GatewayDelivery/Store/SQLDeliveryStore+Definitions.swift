import GatewayCore
import Synchronization

/// Function definitions, stored once each: from schema version 5 on, a queued row names its function's
/// stored form by id (``StoredFunctionCache/Definition``), and `delivery_functions` holds each form.
///
/// Written out in full, the function was about 280 of the 1,670 bytes of a queued SMN call. Every byte
/// of a row is copied into the log at its insert and again at its claim, checkpointed, and read back:
/// 280 bytes less cut the CPU of an event, accepted and delivered, by 6-8% in alternated runs.
///
/// Definitions are never deleted: one row per form ever queued, a few hundred bytes each (a form
/// changes only when a route file's function changes). A process that reads a row naming a form it
/// has not seen reads the form from the table once.
extension SQLDeliveryStore {
    /// Past this many definitions known, the map of them starts over (functions come and go with route
    /// reloads).
    static let definitionsKept = 1024

    /// The stored form of `invocation`, naming its function's definition, without the payload's bytes,
    /// and the `payload` column's value: those bytes.
    func stored(_ invocation: Invocation) -> (json: String, payload: SQLValue, definition: StoredFunctionCache.Definition?) {
        let definition = StoredFunctionCache.shared.definition(of: invocation.function)
        let json = String(decoding: invocation.storedJSON(definition: definition?.id, payloadApart: true), as: UTF8.self)
        return (json, invocation.payload.map { .bytes($0.bytes) } ?? .null, definition)
    }

    /// Inserts the definitions `rows` name that this process does not know to be stored, in the
    /// enqueue's transaction (so that no row names a form that is not there); returns them, to remember
    /// once the transaction commits. A form already stored (by another process) is left as it is.
    func insertDefinitions(of rows: [Row], db: any SQLExecutor) async throws -> [String: FunctionSpec] {
        let known = definitions.withLock { $0 }
        var new: [String: (form: RawJSON, function: FunctionSpec)] = [:]
        for row in rows {
            guard let definition = row.definition, known[definition.id] == nil else { continue }
            new[definition.id] = (definition.form, row.invocation.function)
        }
        guard !new.isEmpty else { return [:] }
        let columns: [SQLColumnType] = [.text, .text]
        let values = new.sorted { $0.key < $1.key }.map { id, new -> [SQLValue] in [.text(id), .text(String(decoding: new.form.bytes, as: UTF8.self))] }
        try await db.execute(
            "INSERT INTO delivery_functions (definition, function) \(backend.dialect.rows(values.count, of: columns)) ON CONFLICT (definition) DO NOTHING",
            backend.dialect.binds(rows: values, of: columns))
        return new.mapValues(\.function)
    }

    /// Remembers definitions known to be in the database: committed by this process, or read from it.
    func definitionsStored(_ stored: [String: FunctionSpec]) {
        guard !stored.isEmpty else { return }
        definitions.withLock { definitions in
            if definitions.count + stored.count > Self.definitionsKept { definitions = [:] }
            definitions.merge(stored) { _, new in new }
        }
    }

    /// The invocation stored in a column, with its payload's bytes from another (`payload`); an error
    /// naming the row (`row`) when it cannot be read. A definition this process does not know is read
    /// from `db`.
    func readInvocation(_ value: SQLValue, payload: SQLValue, row: String, db: any SQLExecutor) async throws -> Invocation {
        guard let bytes = value.bytes else { throw StoreError(.unreadable, "\(row) holds no invocation") }
        let payload = payload.bytes
        var missing: String?
        do {
            return try Self.invocation(bytes, payload: payload, definitions: definitions.withLock { $0 }, missing: &missing)
        } catch {
            // A form this process has not seen yet: read it, and the row once more.
            guard let id = missing, try await readDefinition(id, db: db) else { throw Self.unreadable(row, error) }
        }
        do {
            return try Self.invocation(bytes, payload: payload, definitions: definitions.withLock { $0 }, missing: &missing)
        } catch {
            throw Self.unreadable(row, error)
        }
    }

    private static func invocation(_ bytes: [UInt8], payload: [UInt8]?, definitions: [String: FunctionSpec], missing: inout String?) throws -> Invocation {
        try Invocation(stored: bytes, payload: payload) { id in
            if let function = definitions[id] { return function }
            missing = id
            return nil
        }
    }

    private static func unreadable(_ row: String, _ error: any Error) -> StoreError {
        StoreError(.unreadable, "\(row) holds an invocation that cannot be read: \(error)")
    }

    /// Reads definition `id` from `db` and remembers it; false when the table does not hold it.
    ///
    /// - Throws: ``StoreError`` when the form stored does not read as a function.
    private func readDefinition(_ id: String, db: any SQLExecutor) async throws -> Bool {
        let rows = try await db.execute("SELECT function FROM delivery_functions WHERE definition = ?", [.text(id)])
        guard let bytes = rows.first?.first?.bytes else { return false }
        let function: FunctionSpec
        do {
            let form = try RawJSON(validating: bytes)
            function = try StoredFunctionCache.shared.function(form) { try JSONDocument.decode(StoredFunction.self, from: form.bytes).spec(codingPath: []) }
        } catch {
            throw StoreError(.unreadable, "function definition \(id) cannot be read: \(error)")
        }
        definitionsStored([id: function])
        return true
    }
}
