public import UnixSignals

/// How ``RouteReloadService`` notices changes to the routes folder.
public struct RouteReloadConfiguration: Sendable {
    /// How often the folder is checked for changes.
    public var interval: Duration
    /// A signal that forces a reload whether or not the folder changed; nil traps none.
    public var reloadSignal: UnixSignal?

    /// - Parameters:
    ///   - interval: How often the folder's fingerprint is taken (default 500 ms).
    ///   - reloadSignal: The signal that forces a reload (default SIGHUP; nil to trap none, for
    ///     example when several services run in one process).
    public init(interval: Duration = .milliseconds(500), reloadSignal: UnixSignal? = .sighup) {
        self.interval = interval
        self.reloadSignal = reloadSignal
    }
}
