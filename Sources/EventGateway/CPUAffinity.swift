import Foundation

/// The CPUs the scheduler lets this process use.
///
/// NIO sizes its event loop group by the CPUs online, within cgroup limits, but not by the process's
/// affinity (`taskset`, systemd's `CPUAffinity=`). Pinned to one CPU of two, the gateway ran two event
/// loops that the kernel interleaved on that CPU: a request waited for the other loop's turn, and the p99
/// at 1,000 requests/s was a fifth higher than with one loop.
enum CPUAffinity {
    /// How many CPUs this process may run on, from `/proc/self/status`; nil where that is not known.
    static func allowedCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed_list:") {
            return count(list: line.dropFirst("Cpus_allowed_list:".count))
        }
        return nil
    }

    /// The CPUs in a Linux CPU list such as `0-3,8,10-11`; nil when it is empty or not one.
    static func count(list: Substring) -> Int? {
        var total = 0
        for item in list.split(separator: ",") {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                total += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                total += high - low + 1
            default:
                return nil
            }
        }
        return total > 0 ? total : nil
    }
}
