@_spi(Benchmarks) public enum BenchmarkHooks {
    public static func parse(_ bytes: [UInt8]) -> Int { (try? JSONDocument(bytes: bytes))?.nodes.count ?? 0 }
    public static func decodeTimer(_ bytes: [UInt8]) -> Int {
        guard let document = try? JSONDocument(bytes: bytes) else { return 0 }
        return (try? document.decode(FunctionGraphTimer.Event.self))?.trigger_name.utf8.count ?? 0
    }
    public static func manualTimer(_ bytes: [UInt8]) -> Int {
        guard let document = try? JSONDocument(bytes: bytes) else { return 0 }
        var total = 0
        for key in ["version", "time", "trigger_type", "trigger_name", "user_event"] {
            if let node = document.member(key, of: 0) { total += document.string(at: node).utf8.count }
        }
        return total
    }
    public static func stringAt(_ bytes: [UInt8]) -> Int {
        guard let document = try? JSONDocument(bytes: bytes) else { return 0 }
        var total = 0
        for _ in 0..<100 { total += document.string(at: 2).utf8.count }
        return total
    }
}
