import GatewayCore
public import Logging
public import ServiceLifecycle
import UnixSignals

/// Keeps a ``RouteTableStore`` in step with its folder: reloads when files are added, changed or
/// removed (polling a fingerprint of the folder) and when the reload signal arrives (SIGHUP).
///
/// Every route error of a failed reload is logged at error level as `file:line:column: message`,
/// with `route.file`, `route.line` and `route.column` metadata; the previous table stays in use. A
/// successful reload is logged at info level with the new version and route count. Stops on graceful
/// shutdown or cancellation.
public struct RouteReloadService: Service {
    public let store: RouteTableStore
    public let configuration: RouteReloadConfiguration
    let logger: Logger

    /// - Parameters:
    ///   - store: The store to reload; it has already loaded the folder once.
    ///   - configuration: Poll interval and reload signal.
    ///   - logger: Where reloads and route errors are reported.
    public init(store: RouteTableStore, configuration: RouteReloadConfiguration = .init(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Logs the outcome of the store's first load, then watches until graceful shutdown or cancellation.
    public func run() async throws {
        // Trap the signal before announcing readiness: once "watching" is logged, a SIGHUP reloads.
        let signals: UnixSignalsSequence? =
            if let signal = configuration.reloadSignal { await UnixSignalsSequence(trapping: signal) } else { nil }
        report(.initial, store.status)
        logger.info(
            "watching routes folder",
            metadata: [
                "route.directory": "\(store.directory)", "route.poll.interval": "\(configuration.interval)",
                "route.reload.signal": "\(configuration.reloadSignal.map { "\($0)" } ?? "none")",
            ])
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await poll() }
                if let signals {
                    group.addTask {
                        for await _ in signals { reload(.signal) }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Why a reload ran, for the logs.
    enum Reason: String {
        case initial, change, signal
    }

    /// Takes the folder's fingerprint every interval and reloads when it differs from the one taken
    /// before the last load. Returns when cancelled.
    private func poll() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.interval)
            } catch {
                return
            }
            if RouteFolderFingerprint(directory: store.directory) != store.fingerprint { reload(.change) }
        }
    }

    /// Reloads on this task: a routes folder is a few small files, read in milliseconds.
    private func reload(_ reason: Reason) {
        report(reason, store.reload().status)
    }

    private func report(_ reason: Reason, _ status: RouteTableStatus) {
        guard status.lastErrors.isEmpty else {
            for error in status.lastErrors {
                var metadata: Logger.Metadata = [
                    "route.file": "\(error.location.file)", "route.line": "\(error.location.line)", "route.column": "\(error.location.column)",
                    "route.reload.reason": "\(reason.rawValue)",
                ]
                if let hint = error.hint { metadata["route.hint"] = "\(hint)" }
                logger.error("\(error.description)", metadata: metadata)
            }
            let kept = status.version == 0 ? "no table is in use" : "version \(status.version) stays in use"
            logger.warning(
                "routes not loaded: \(status.lastErrors.count) error(s); \(kept)",
                metadata: ["route.version": "\(status.version)", "route.errors": "\(status.lastErrors.count)", "route.reload.reason": "\(reason.rawValue)"])
            return
        }
        logger.info(
            "routes loaded",
            metadata: [
                "route.version": "\(status.version)", "route.count": "\(status.routeCount)", "route.files": "\(status.fileCount)",
                "route.reload.reason": "\(reason.rawValue)",
            ])
    }
}
