import Yams

/// `retry:` in a function: its own retry settings (see `docs/functions.md`).
extension RouteFileParser {
    static let retryKeys = ["max_attempts", "max_age", "backoff", "max_backoff", "max_retry_after"]

    /// A mapping of the keys in ``retryKeys``; nil when it is not a mapping.
    mutating func retrySettings(_ node: Node) -> RetrySettings? {
        guard case .mapping(let mapping) = node else {
            error(node, "retry: expected a mapping (max_attempts, max_age, backoff, max_backoff, max_retry_after), found \(Self.describe(node))")
            return nil
        }
        var settings = RetrySettings()
        var backoffNode: Node?
        for (key, value) in mapping {
            guard let name = keyText(key) else { continue }
            switch name {
            case "max_attempts": settings.maxAttempts = positiveInteger(value, "max_attempts")
            case "max_age": settings.maxAge = duration(value, "max_age")
            case "backoff":
                settings.backoff = duration(value, "backoff")
                backoffNode = value
            case "max_backoff": settings.maxBackoff = duration(value, "max_backoff")
            case "max_retry_after": settings.maxRetryAfter = duration(value, "max_retry_after")
            default:
                error(
                    key, "unknown key \"\(name)\" in retry; valid keys: \(Self.retryKeys.joined(separator: ", "))",
                    hint: Self.closest(name, Self.retryKeys).map { "did you mean `\($0)`?" })
            }
        }
        if let backoff = settings.backoff, let cap = settings.maxBackoff, let backoffNode, cap < backoff {
            error(backoffNode, "retry: backoff is longer than max_backoff", hint: "the backoff starts at backoff and doubles up to max_backoff")
        }
        return settings
    }
}
