import ArgumentParser
import GatewayCore

/// `event-gateway routes check|test|explain`: work with a routes folder without running the gateway.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Check route files, run their tests, and explain how an event is routed.",
        subcommands: [RoutesCheckCommand.self, RoutesTestCommand.self, RoutesExplainCommand.self]
    )

    /// Loads `directory`, or prints every error (`file:line:column: message (hint: ...)`, one per
    /// line, on standard error) and exits 1.
    static func load(_ directory: String) throws -> RouteTable {
        do {
            return try RouteLoader.load(directory: directory)
        } catch {
            for problem in error.errors {
                var shown = problem
                shown.location = located(problem.location, in: directory)
                standardError(shown.description)
            }
            throw ExitCode.failure
        }
    }

    /// `location` with its file as a path from the current folder (`routes/shop/orders.yaml`), so that
    /// editors and terminals can open it; the loader gives paths relative to the routes folder.
    static func located(_ location: SourceLocation, in directory: String) -> SourceLocation {
        var location = location
        let folder = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        // Errors about the folder itself already name it.
        if location.file != directory, location.file != folder, !location.file.hasPrefix("/"), folder != "." {
            location.file = folder + "/" + location.file
        }
        return location
    }

    /// "1 route", "3 routes".
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)" + (number == 1 ? "" : "s")
    }
}

/// `event-gateway routes check [DIR]`.
struct RoutesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load every route file and report every error.",
        discussion: """
            Prints each error as 'file:line:column: message (hint: ...)' on standard error and exits 1;
            otherwise prints 'ok: N routes, M tests in K files' and exits 0.
            """
    )

    @Argument(help: "The routes folder.")
    var directory = "routes"

    func run() throws {
        let table = try RoutesCommand.load(directory)
        print(
            "ok: \(RoutesCommand.count(table.routes.count, "route")), \(RoutesCommand.count(table.tests.count, "test")) in \(RoutesCommand.count(table.files.count, "file"))"
        )
    }
}

/// `event-gateway routes test [DIR]`.
struct RoutesTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the tests: of every route file.",
        discussion: """
            Prints 'PASS file:line name' or 'FAIL file:line name: message' for each test, then
            'N passed, M failed'. Exits 1 when a test fails or the folder has errors.
            """
    )

    @Argument(help: "The routes folder.")
    var directory = "routes"

    func run() throws {
        let table = try RoutesCommand.load(directory)
        let results = RouteTestRunner(table: table).run()
        for var result in results {
            result.test.location = RoutesCommand.located(result.location, in: directory)
            print(result.description)
        }
        let failed = results.filter { !$0.passed }.count
        print("\(results.count - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode.failure }
    }
}
