public import Logging

/// Logs one info line per result, with metadata `function`, `topic`, `event.id`, `status`, `duration`
/// and `outcome`, plus `error.code` and `error.message` on failures. Always on: every ``Invoker`` has one.
///
/// Messages: `delivered`, `function error`, `failed: <message>`, `no subscribers`.
public struct LogReceiver: ResultReceiver {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func receive(_ results: [InvocationResult]) async {
        for result in results {
            logger.info("\(Self.message(for: result))", metadata: Self.metadata(for: result))
        }
    }

    static func message(for result: InvocationResult) -> String {
        switch result.outcome {
        case .delivered: "delivered"
        case .functionError: "function error"
        case .failed: "failed: \(result.error?.message ?? "no answer")"
        case .noSubscribers: "no subscribers"
        }
    }

    static func metadata(for result: InvocationResult) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "function": "\(result.function ?? "none")", "topic": "\(result.topics.joined(separator: ","))",
            "event.id": "\(result.envelopeIDs.joined(separator: ","))", "status": "\(result.status.map(String.init) ?? "none")",
            "duration": "\(result.duration)", "outcome": "\(result.outcome.rawValue)",
        ]
        if let error = result.error {
            metadata["error.code"] = "\(error.code.rawValue)"
            metadata["error.message"] = "\(error.message)"
        }
        return metadata
    }
}
