import Testing

@testable import GatewayServer

/// Reading Linux CPU lists (`Cpus_allowed_list` in `/proc/self/status`).
struct CPUAffinityTests {
    @Test(arguments: [("0", [0]), ("0-1", [0, 1]), ("0-3,8,10-11", [0, 1, 2, 3, 8, 10, 11]), ("5", [5]), (" 2-3", [2, 3])])
    func readsTheCPUsOfAList(_ list: String, _ expected: [Int]) {
        #expect(CPUAffinity.cpus(list: list[...]) == expected)
    }

    @Test(arguments: ["", "a", "3-1", "0-1-2", "1,,2-"])
    func refusesWhatIsNotAList(_ list: String) {
        #expect(CPUAffinity.cpus(list: list[...]) == nil)
    }

    @Test func thisProcessMayRunOnAtLeastOneCPU() throws {
        #expect(try #require(CPUAffinity.allowedCPUs()).count >= 1)
    }
}
