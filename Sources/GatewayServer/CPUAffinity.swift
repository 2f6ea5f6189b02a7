import Foundation

/// The CPUs the scheduler lets this process use.
///
/// NIO sizes its event loop group by the CPUs online, within cgroup limits, but not by the process's
/// affinity (`taskset`, systemd's `CPUAffinity=`). Pinned to one CPU of two, the gateway ran two event
/// loops that the kernel interleaved on that CPU: a request waited for the other loop's turn, and the p99
/// at 1,000 requests/s was a fifth higher than with one loop.
public enum CPUAffinity {
    /// The CPUs this process may run on, from `/proc/self/status`; nil where that is not known.
    public static func allowedCPUs() -> [Int]? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed_list:") {
            return cpus(list: line.dropFirst("Cpus_allowed_list:".count))
        }
        return nil
    }

    /// The CPUs of a Linux CPU list such as `0-3,8,10-11`, in order; nil when it is empty or not one.
    static func cpus(list: Substring) -> [Int]? {
        var cpus: [Int] = []
        for item in list.split(separator: ",") {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch bounds.count {
            case 1:
                guard let cpu = bounds[0] else { return nil }
                cpus.append(cpu)
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                cpus += low...high
            default:
                return nil
            }
        }
        return cpus.isEmpty ? nil : cpus
    }
}
