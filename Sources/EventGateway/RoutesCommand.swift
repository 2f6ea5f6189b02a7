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
            otherwise prints 'ok: N routes, M functions, T tests in F files', then a 'note:' line for
            each route topic that no declared function subscribes to, and exits 0.
            """
    )

    @Argument(help: "The routes folder.")
    var directory = "routes"

    @Option(help: "How topics meet subscriptions, as the gateway is configured: exact, ignore-case or wildcard.")
    var topicMatching = TopicMatching.exact.rawValue

    func validate() throws {
        guard TopicMatching(rawValue: topicMatching) != nil else {
            let choices = TopicMatching.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--topic-matching: expected one of \(choices), found \"\(topicMatching)\"")
        }
    }

    func run() throws {
        let table = try RoutesCommand.load(directory)
        let subscriptions: SubscriptionMap
        do {
            subscriptions = try SubscriptionMap(functions: table.functions, matching: TopicMatching(rawValue: topicMatching) ?? .exact)
        } catch {
            standardError(error.description)
            throw ExitCode.failure
        }
        let counts = [(table.routes.count, "route"), (table.functions.count, "function"), (table.tests.count, "test")]
        print("ok: \(counts.map { RoutesCommand.count($0, $1) }.joined(separator: ", ")) in \(RoutesCommand.count(table.files.count, "file"))")
        // Not errors: OpenFaaS functions may subscribe to these at run time.
        for (topic, route) in subscriptions.unsubscribedTopics(of: table.routes) {
            let location = RoutesCommand.located(route.location, in: directory)
            print("note: \(location): no declared function subscribes to topic \"\(topic)\" (route \(route.id))")
        }
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
