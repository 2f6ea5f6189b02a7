import Foundation
import GatewayCore
import Testing

extension RouteFileParserTests {
    /// A fresh folder holding `files` (relative path -> text); removed by the caller.
    static func makeFolder(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString)").path
        for (relative, text) in files {
            let path = root + "/" + relative
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    static func route(_ id: String, _ type: String) -> String {
        "  - id: \(id)\n    topic: \(id)-topic\n    when: {type: \(type)}\n"
    }

    @Test func loadsAFolderTreeInPathOrderSkippingHiddenNames() throws {
        let root = try Self.makeFolder([
            "b.yaml": "routes:\n" + Self.route("b1", "b"),
            "a.yaml": "group: first\nroutes:\n" + Self.route("a1", "a") + Self.route("a2", "a"),
            "shop/orders.yaml": "routes:\n" + Self.route("orders", "o") + "tests:\n  - event: ../fixtures/order.json\n    expect: [orders]\n",
            "shop/deep/x.yaml": "routes: []\ntests:\n  - event: {type: o}\n    expect: {topics: [orders-topic]}\n",
            // Skipped: hidden files and folders, other extensions.
            ".draft.yaml": "not: [valid",
            ".git/config.yaml": "broken: [",
            "shop/.old/orders.yaml": "routes:\n" + Self.route("orders", "o"),
            "notes.yml": "broken: [",
            "README.md": "# routes",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let table = try RouteLoader.load(directory: root)
        #expect(table.files == ["a.yaml", "b.yaml", "shop/deep/x.yaml", "shop/orders.yaml"])
        #expect(table.routes.map(\.id) == ["a1", "a2", "b1", "orders"])
        #expect(table.routes.map(\.group) == ["first", "first", "b.yaml", "shop/orders.yaml"])
        #expect(table.routes.last?.location == GatewayCore.SourceLocation(file: "shop/orders.yaml", line: 2, column: 5))
        #expect(table.tests.count == 2)
        guard case .inline(let json) = table.tests[0].event, case .file(let path) = table.tests[1].event else {
            Issue.record("unexpected test events")
            return
        }
        #expect(json.text == #"{"type":"o"}"#)
        #expect(path == root + "/fixtures/order.json")
        #expect(table.tests[1].location == GatewayCore.SourceLocation(file: "shop/orders.yaml", line: 6, column: 5))
    }

    @Test func duplicateIDsAcrossFilesNameTheFirst() throws {
        let root = try Self.makeFolder([
            "a.yaml": "routes:\n" + Self.route("orders", "a"),
            "shop/b.yaml": "routes:\n" + Self.route("other", "b") + Self.route("orders", "b"),
            "shop/c.yaml": "routes:\n" + Self.route("other", "c"),
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let errors = try #require(throws: RouteErrors.self) { try RouteLoader.load(directory: root) }
        #expect(
            errors.description == """
                shop/b.yaml:5:5: duplicate route id "orders"; first defined at a.yaml:2:5 (hint: route ids are unique across all route files)
                shop/c.yaml:2:5: duplicate route id "other"; first defined at shop/b.yaml:2:5 (hint: route ids are unique across all route files)
                """)
    }

    @Test func errorsOfEveryFileAreThrownTogetherInOrder() throws {
        let root = try Self.makeFolder([
            "z.yaml": "routes:\n" + Self.route("z", "z") + "tests:\n  - event: e.json\n    expect: [zz, none]\n",
            "a.yaml": "routes:\n  - id: a\n    topic: t\n    when: {type: {prefx: a}}\n",
            "m/m.yaml": "routes:\n  - id: m\n    topic: t\n    when: {data..x: 1}\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let errors = try #require(throws: RouteErrors.self) { try RouteLoader.load(directory: root) }
        #expect(
            errors.errors.map(\.description) == [
                "a.yaml:4:19: unknown operator \"prefx\"; \(Self.operatorList) (hint: did you mean `prefix`?)",
                "m/m.yaml:4:17: expected a key after \".\"; quote keys with dots or spaces as [\"a.b\"]",
                "z.yaml:7:14: expect: no route has the id \"zz\" (hint: did you mean `z`?)",
                "z.yaml:7:18: expect: no route has the id \"none\" (hint: for no match write expect: none, without brackets)",
            ])
    }

    /// A file that is not YAML hides its route ids: tests elsewhere naming them are not blamed.
    @Test func aBrokenFileDoesNotMakeExpectationsFail() throws {
        let root = try Self.makeFolder([
            "a.yaml": "routes:\n" + Self.route("a", "a") + "tests:\n  - event: e.json\n    expect: [b]\n",
            "b.yaml": "routes: [\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let errors = try #require(throws: RouteErrors.self) { try RouteLoader.load(directory: root) }
        #expect(errors.description == "b.yaml:2:1: invalid YAML: did not find expected node content (while parsing a flow node)")
    }

    @Test func missingFolderBrokenLinkAndFileInsteadOfFolder() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-routes-\(UUID().uuidString)").path
        let error = try #require(throws: RouteErrors.self) { try RouteLoader.load(directory: missing) }
        #expect(error.description == "\(missing):1:1: the routes folder does not exist")

        let root = try Self.makeFolder(["a.yaml": "routes:\n" + Self.route("a", "a")])
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createSymbolicLink(atPath: root + "/gone.yaml", withDestinationPath: root + "/nowhere.yaml")
        let broken = try #require(throws: RouteErrors.self) { try RouteLoader.load(directory: root) }
        #expect(broken.description == "gone.yaml:1:1: cannot read the file (a broken link?)")

        let file = try #require(throws: RouteErrors.self) { try RouteLoader.load(directory: root + "/a.yaml") }
        #expect(file.description == "\(root)/a.yaml:1:1: expected a routes folder, found a file")
    }

    @Test func symbolicLinkLoopsAreWalkedOnce() throws {
        let root = try Self.makeFolder(["sub/a.yaml": "routes:\n" + Self.route("a", "a")])
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createSymbolicLink(atPath: root + "/sub/again", withDestinationPath: root)
        let table = try RouteLoader.load(directory: root)
        #expect(table.files == ["sub/a.yaml"])
    }

    @Test func anEmptyFolderIsAnEmptyTable() throws {
        let root = try Self.makeFolder([:])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let table = try RouteLoader.load(directory: root)
        #expect(table.routes.isEmpty && table.files.isEmpty)
    }
}

extension RouteFileParserTests {
    /// Every YAML example of docs/routes.md parses without errors (snippets are wrapped into a route).
    @Test func documentationExamplesParse() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/routes.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count >= 6)
        for block in blocks {
            let indented = { (text: String, spaces: Int) in
                text.split(separator: "\n", omittingEmptySubsequences: false).map { String(repeating: " ", count: spaces) + $0 }.joined(separator: "\n")
            }
            var yaml = block
            if block.hasPrefix("when:") {
                yaml = "routes:\n  - id: x\n    topic: t\n" + indented(block, 4)
            } else if block.hasPrefix("tests:") {
                yaml = "routes: []\n" + block
            } else if !block.hasPrefix("routes:") && !block.hasPrefix("group:") {
                yaml = "routes:\n  - id: x\n    topic: t\n    when:\n" + indented(block, 6)
            }
            let result = RouteLoader.parse(yaml: yaml, file: "docs.yaml")
            #expect(result.errors.isEmpty, "\(yaml)\n\(result.errors)")
        }
    }
}
