import Foundation

/// Command-line options shared by the benchmarks.
struct Options {
    var rounds = 9
    var milliseconds = 200
    /// Only normalize the fixture mix (for profilers).
    var profile = false
    /// Restrict to one dialect.
    var dialect: String?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--rounds": rounds = iterator.next().flatMap(Int.init) ?? rounds
            case "--milliseconds": milliseconds = iterator.next().flatMap(Int.init) ?? milliseconds
            case "--profile": profile = true
            case "--dialect": dialect = iterator.next()
            case "--yardstick": break
            case "--count-passes": _ = iterator.next()
            default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
            }
        }
    }
}
