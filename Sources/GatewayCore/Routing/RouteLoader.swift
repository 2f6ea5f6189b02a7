import Foundation

/// Loads a routes folder into a ``RouteTable``: every `*.yaml` file under it, as one table.
///
/// Files are found recursively (names starting with "." are skipped, files and folders alike) and
/// read in order of their path relative to the folder. Every problem of every file is collected and
/// thrown together, so one `routes check` shows them all.
public enum RouteLoader {
    /// Reads, parses and compiles every route file under `directory`.
    ///
    /// - Parameter directory: The routes folder. Locations in errors are relative to it.
    /// - Returns: The table: routes, tests and functions in file order, files sorted by relative path.
    /// - Throws: ``RouteErrors`` with every problem found: a missing or unreadable folder or file
    ///   (at `path:1:1`), YAML and syntax errors, duplicate route ids and function addresses across
    ///   files, `expect:` naming an unknown route, and routes the index cannot take.
    public static func load(directory: String) throws(RouteErrors) -> RouteTable {
        var (files, errors) = routeFiles(in: directory)
        var parsed: [(routes: [Route], tests: [RouteTestCase], parser: RouteFileParser)] = []
        for file in files {
            let path = directory + "/" + file
            guard let data = FileManager.default.contents(atPath: path) else {
                errors.append(RouteError(SourceLocation(file: file, line: 1, column: 1), "cannot read the file"))
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                errors.append(RouteError(SourceLocation(file: file, line: 1, column: 1), "the file is not UTF-8 text"))
                continue
            }
            let folder = RouteFileParser.standardized((path as NSString).deletingLastPathComponent)
            parsed.append(RouteFileParser.parseFile(yaml: text, file: file, folder: folder))
        }
        let parsers = parsed.map(\.parser)
        errors += parsers.flatMap(\.errors)
        errors += crossFileErrors(parsers, checkExpectations: parsers.count == files.count && parsers.allSatisfy(\.isComplete))
        let routes = parsed.flatMap(\.routes)
        let tests = parsed.flatMap(\.tests)
        let functions = parsers.flatMap(\.functions)
        do {
            let table = try RouteTable(routes: routes, tests: tests, functions: functions, files: files)
            if errors.isEmpty { return table }
        } catch {
            errors += error.errors
        }
        throw RouteErrors(errors)
    }

    /// Parses one file's text outside any folder (test events resolve against ".").
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The path shown in locations, and the default group.
    /// - Returns: The routes and tests without problems, and every problem found in the file.
    public static func parse(yaml: String, file: String) -> (routes: [Route], tests: [RouteTestCase], errors: [RouteError]) {
        RouteFileParser.parse(yaml: yaml, file: file, folder: ".")
    }

    /// Parses one file's text outside any folder, its `functions:` included.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The path shown in locations, and the default group.
    /// - Returns: The routes, tests and functions without problems, and every problem found in the file.
    public static func parseFile(yaml: String, file: String) -> (routes: [Route], tests: [RouteTestCase], functions: [FunctionSpec], errors: [RouteError]) {
        let parsed = RouteFileParser.parseFile(yaml: yaml, file: file, folder: ".")
        return (parsed.routes, parsed.tests, parsed.parser.functions, RouteErrors(parsed.parser.errors).errors)
    }

    /// Duplicate route ids and function addresses between files (each file already reported its own),
    /// and `expect:` ids that no route has (only when every file could be read, so that one broken file
    /// does not make every test naming its routes an error too).
    static func crossFileErrors(_ parsers: [RouteFileParser], checkExpectations: Bool) -> [RouteError] {
        var errors = RouteFileParser.duplicateFunctionErrors(parsers.flatMap(\.functionAddresses), acrossFilesOnly: true)
        var first: [String: SourceLocation] = [:]
        for parser in parsers {
            for (id, location) in parser.routeIDs {
                if let earlier = first[id] {
                    if earlier.file != location.file {
                        errors.append(RouteError(location, "duplicate route id \"\(id)\"; first defined at \(earlier)", hint: "route ids are unique across all route files"))
                    }
                } else {
                    first[id] = location
                }
            }
        }
        guard checkExpectations else { return errors }
        let known = parsers.flatMap { $0.routeIDs.map(\.id) }
        for parser in parsers {
            for (id, location) in parser.expectedRouteIDs where first[id] == nil {
                var hint = RouteFileParser.closest(id, known).map { "did you mean `\($0)`?" }
                if id == "none" { hint = "for no match write expect: none, without brackets" }
                errors.append(RouteError(location, "expect: no route has the id \(NormalizationError.quote(id))", hint: hint))
            }
        }
        return errors
    }

    /// The `*.yaml` files under `directory`, relative to it, sorted; hidden names skipped; and the
    /// folders that could not be read.
    static func routeFiles(in directory: String) -> (files: [String], errors: [RouteError]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return ([], [RouteError(SourceLocation(file: directory, line: 1, column: 1), "the routes folder does not exist")])
        }
        guard isDirectory.boolValue else {
            return ([], [RouteError(SourceLocation(file: directory, line: 1, column: 1), "expected a routes folder, found a file")])
        }
        var walk = Walk()
        walk.collect(directory, relative: "")
        return (walk.files.sorted(), walk.errors)
    }

    private struct Walk {
        var files: [String] = []
        var errors: [RouteError] = []
        var visited: Set<String> = []

        mutating func collect(_ directory: String, relative: String) {
            // A symbolic link back up the tree would otherwise loop forever.
            guard visited.insert((directory as NSString).resolvingSymlinksInPath).inserted else { return }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                errors.append(RouteError(SourceLocation(file: relative.isEmpty ? directory : relative, line: 1, column: 1), "cannot read the folder"))
                return
            }
            for name in names where !name.hasPrefix(".") {
                let path = directory + "/" + name
                let relativePath = relative.isEmpty ? name : relative + "/" + name
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    if name.hasSuffix(".yaml") {
                        errors.append(RouteError(SourceLocation(file: relativePath, line: 1, column: 1), "cannot read the file (a broken link?)"))
                    }
                    continue
                }
                if isDirectory.boolValue {
                    collect(path, relative: relativePath)
                } else if name.hasSuffix(".yaml") {
                    files.append(relativePath)
                }
            }
        }
    }
}
