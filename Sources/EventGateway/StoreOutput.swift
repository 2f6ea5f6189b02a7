import Foundation
import GatewayCore
import GatewayDelivery

/// How `dlq` and `status` print: aligned columns for people, JSON (keys sorted) for programs.
enum StoreOutput {
    // MARK: Values

    /// `2026-11-23T04:05:06.789Z`.
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// `850ms`, `12s`, `3m05s`, `2h04m`.
    static func age(_ duration: Duration) -> String {
        let milliseconds = Int64(duration.components.seconds) * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let seconds = milliseconds / 1000
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" + String(format: "%02ds", seconds % 60) }
        return "\(seconds / 3600)h" + String(format: "%02dm", seconds / 60 % 60)
    }

    /// The text of a response body, or nil when it is not UTF-8.
    static func text(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// Rows in columns two spaces apart, the last column unpadded.
    static func table(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// A JSON value (dictionaries, arrays, strings, numbers, `NSNull`) as pretty text with sorted keys.
    static func json(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Dead letters

    static let deadLetterHeader = ["ID", "FUNCTION", "REASON", "STATUS", "ATTEMPTS", "REPLAYS", "DEAD AT"]

    static func row(_ letter: DeadLetter) -> [String] {
        [
            letter.id, letter.invocation.function.address, letter.reason.rawValue, letter.status.map(String.init) ?? "-", "\(letter.attempts)",
            "\(letter.replays)", time(letter.deadAt),
        ]
    }

    /// A dead letter's fields for `--json`; `full` adds the envelopes and the payload.
    static func object(_ letter: DeadLetter, full: Bool) -> [String: Any] {
        var object: [String: Any] = [
            "id": letter.id, "function": letter.invocation.function.address, "topics": letter.invocation.topics, "destination": letter.destination,
            "status": letter.status.map { $0 as Any } ?? NSNull(), "error": letter.error.map { $0 as Any } ?? NSNull(), "attempts": letter.attempts,
            "first_attempt_at": time(letter.firstAttemptAt), "last_attempt_at": time(letter.lastAttemptAt), "dead_at": time(letter.deadAt),
            "reason": letter.reason.rawValue, "replays": letter.replays, "envelope_ids": letter.invocation.envelopes.map(\.id),
        ]
        if let body = text(letter.responseBody) {
            object["response_body"] = body
        } else {
            object["response_body_base64"] = Base64.encode(letter.responseBody)
        }
        guard full else { return object }
        object["envelopes"] = letter.invocation.envelopes.map { (try? JSONSerialization.jsonObject(with: Data($0.jsonBytes()))) ?? NSNull() }
        if let payload = letter.invocation.payload {
            var stored: [String: Any] = ["content_type": payload.contentType.map { $0 as Any } ?? NSNull()]
            if let body = text(payload.bytes) { stored["body"] = body } else { stored["body_base64"] = Base64.encode(payload.bytes) }
            object["payload"] = stored
        }
        return object
    }

    /// `dlq show`: one field a line, then the response body and the envelopes.
    static func details(_ letter: DeadLetter) -> String {
        var lines = table([
            ["id:", letter.id], ["function:", letter.invocation.function.address], ["topics:", letter.invocation.topics.joined(separator: ", ")],
            ["destination:", letter.destination], ["reason:", letter.reason.rawValue], ["status:", letter.status.map(String.init) ?? "-"],
            ["error:", letter.error ?? "-"], ["attempts:", "\(letter.attempts)"], ["first attempt:", time(letter.firstAttemptAt)],
            ["last attempt:", time(letter.lastAttemptAt)], ["dead at:", time(letter.deadAt)], ["replays:", "\(letter.replays)"],
        ])
        lines += "\nresponse body (first \(DeadLetter.responseBodyLimit) bytes):\n"
        lines += text(letter.responseBody) ?? "(\(letter.responseBody.count) bytes, not UTF-8; --json gives them in base64)"
        lines += "\nenvelopes:"
        for envelope in letter.invocation.envelopes {
            lines += "\n" + String(decoding: envelope.jsonBytes(pretty: true), as: UTF8.self)
        }
        return lines
    }

    // MARK: Status

    static func statusTable(_ status: QueueStatus) -> String {
        var rows = [["FUNCTION", "DEPTH", "IN FLIGHT", "DEAD LETTERS", "OLDEST"]]
        for (function, figures) in status.functions.sorted(by: { $0.key < $1.key }) { rows.append(row(function, figures)) }
        rows.append(row("total", status.total))
        return table(rows)
    }

    static func row(_ name: String, _ figures: QueueStatus.Figures) -> [String] {
        [name, "\(figures.depth)", "\(figures.inFlight)", "\(figures.deadLetters)", figures.oldestAge.map(age) ?? "-"]
    }

    static func object(_ status: QueueStatus) -> [String: Any] {
        func figures(_ figures: QueueStatus.Figures) -> [String: Any] {
            [
                "depth": figures.depth, "in_flight": figures.inFlight, "dead_letters": figures.deadLetters,
                "oldest_age_seconds": figures.oldestAge.map { $0.seconds as Any } ?? NSNull(),
            ]
        }
        return ["functions": status.functions.mapValues(figures), "total": figures(status.total)]
    }
}
