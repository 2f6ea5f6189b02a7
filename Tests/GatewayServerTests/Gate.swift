import Synchronization

/// Holds stub functions back until the test opens it: a call in flight for exactly as long as a test
/// needs, however slow the machine.
final class Gate: Sendable {
    private let isOpen = Mutex(false)

    /// Lets every waiting and later caller through.
    func open() {
        isOpen.withLock { $0 = true }
    }

    /// Returns once the gate is open.
    func wait() async {
        while !isOpen.withLock({ $0 }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
