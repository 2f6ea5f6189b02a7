import Testing

@testable import EventGateway

/// Reading Linux CPU lists (`Cpus_allowed_list` in `/proc/self/status`).
struct CPUAffinityTests {
    @Test(arguments: [("0", 1), ("0-1", 2), ("0-3,8,10-11", 7), ("5", 1), (" 2-3", 2)])
    func countsTheCPUsOfAList(_ list: String, _ expected: Int) {
        #expect(CPUAffinity.count(list: list[...]) == expected)
    }

    @Test(arguments: ["", "a", "3-1", "0-1-2", "1,,2-"])
    func refusesWhatIsNotAList(_ list: String) {
        #expect(CPUAffinity.count(list: list[...]) == nil)
    }

    @Test func thisProcessMayRunOnAtLeastOneCPU() throws {
        #expect(try #require(CPUAffinity.allowedCount()) >= 1)
    }
}
