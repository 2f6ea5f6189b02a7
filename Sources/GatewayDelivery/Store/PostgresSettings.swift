public import Foundation

/// How to reach a PostgreSQL server.
public struct PostgresSettings: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// From a URL: `postgres://user[:password]@host[:port][/database]`.
    ///
    /// - Throws: ``StoreError`` naming what is missing or wrong.
    public init(url: String) throws(StoreError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw StoreError(.invalidConfiguration, "\(url.debugDescription) is not a PostgreSQL URL like postgres://user@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else { throw StoreError(.invalidConfiguration, "\(url.debugDescription) has no host") }
        guard let user = components.user, !user.isEmpty else { throw StoreError(.invalidConfiguration, "\(url.debugDescription) has no user name") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.init(host: host, port: components.port ?? 5432, username: user, password: components.password, database: database.isEmpty ? nil : database)
    }
}
