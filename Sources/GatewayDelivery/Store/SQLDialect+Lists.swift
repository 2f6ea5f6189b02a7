/// Statements that carry many rows or values.
///
/// SQLite takes a placeholder for each value, and keeps each statement text prepared. PostgreSQL takes a
/// column's values as one array: the text stays the same whatever the number of rows, so the server
/// keeps it parsed and planned (``PostgresStatements``). With a placeholder each, a group commit's
/// inserts alone came in over two hundred texts in a 12 s run.
extension SQLDialect {
    /// The rows for `INSERT INTO table (columns) <rows>`: `count` rows of `columns`.
    func rows(_ count: Int, of columns: [SQLColumnType]) -> String {
        guard bindsLists else {
            return "VALUES " + SQLDeliveryStore.placeholders(count, each: "(" + SQLDeliveryStore.placeholders(columns.count) + ")")
        }
        return "SELECT * FROM unnest(" + columns.map { "?::\($0.rawValue)[]" }.joined(separator: ", ") + ")"
    }

    /// The binds for ``rows(_:of:)``: each row's values in `columns`' order.
    func binds(rows: [[SQLValue]], of columns: [SQLColumnType]) -> [SQLValue] {
        guard bindsLists else { return rows.flatMap { $0 } }
        return columns.indices.map { index in .list(rows.map { $0[index] }, columns[index]) }
    }

    /// A condition that `expression` is one of `count` values of `type` (`NOT` with `negated`).
    func among(_ expression: String, _ count: Int, _ type: SQLColumnType, negated: Bool = false) -> String {
        guard bindsLists else { return "\(expression)\(negated ? " NOT" : "") IN (\(SQLDeliveryStore.placeholders(count)))" }
        return negated ? "\(expression) <> ALL(?::\(type.rawValue)[])" : "\(expression) = ANY(?::\(type.rawValue)[])"
    }

    /// A condition that `expression` is one of the values `select` returns. PostgreSQL takes them as an
    /// array first (`= ANY(ARRAY(...))`) and then looks each up by `expression`'s index: with `IN
    /// (SELECT ...)`, a plan made once on an empty table (``PostgresBackend/planning``) joined them with a
    /// scan of the whole index.
    func among(_ expression: String, select: String) -> String {
        bindsLists ? "\(expression) = ANY(ARRAY(\(select)))" : "\(expression) IN (\(select))"
    }

    /// The binds for ``among(_:_:_:negated:)``.
    func binds(among values: [SQLValue], _ type: SQLColumnType) -> [SQLValue] {
        bindsLists ? [.list(values, type)] : values
    }
}
