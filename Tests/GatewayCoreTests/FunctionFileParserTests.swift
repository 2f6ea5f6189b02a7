import Foundation
import GatewayCore
import GatewayTesting
import Testing

/// `functions:` in route files: every key, the defaults, and every error with its exact location.
struct FunctionFileParserTests {
    static let validKeys = "valid keys: name, namespace, target, topic, topics, mode, body, content_type, headers, timeout, concurrency, callback_url, retry"
    static let targets = "log, {http: URL}, {openfaas: URL} or {cloudevents: URL}"
    static let missingTopics = "missing \"topics\" (the topics it subscribes to, like [orders.created]; or topic: for one)"

    static func parse(_ yaml: String) -> (functions: [FunctionSpec], errors: [String]) {
        let result = RouteLoader.parseFile(yaml: yaml, file: "f.yaml")
        return (result.functions, result.errors.map(\.description))
    }

    static func at(_ line: Int, _ column: Int) -> GatewayCore.SourceLocation {
        GatewayCore.SourceLocation(file: "f.yaml", line: line, column: column)
    }

    @Test func everyKeyIsRead() {
        let parsed = Self.parse(
            """
            functions:
              - name: thumbnails
                namespace: media
                target: {openfaas: "http://gateway:8080"}
                topics: [images.created, images.updated]
                mode: async
                body: grouped
                content_type: image/jpeg
                headers: {X-Team: media, X-Priority: "1"}
                timeout: 1500ms
                concurrency: 8
                callback_url: http://results:9000/done
              - name: resize
                target: {http: "https://resize.example.com/run"}
                topic: images.created
                body: cloudevent
                mode: sync
                timeout: 2m
              - name: sink
                target: {cloudevents: "http://sink:8080/"}
                topics: [images.deleted]
                timeout: 45s
            """)
        #expect(parsed.errors == [])
        #expect(
            parsed.functions == [
                FunctionSpec(
                    name: "thumbnails", namespace: "media", target: .openfaas(gateway: "http://gateway:8080"), topics: ["images.created", "images.updated"],
                    mode: .async, body: .grouped, contentType: "image/jpeg", headers: [HeaderField("X-Team", "media"), HeaderField("X-Priority", "1")],
                    timeout: .milliseconds(1500), concurrency: 8, callbackURL: "http://results:9000/done", location: Self.at(2, 5)),
                FunctionSpec(
                    name: "resize", target: .http(url: "https://resize.example.com/run"), topics: ["images.created"], mode: .sync, body: .cloudevent,
                    timeout: .seconds(120), location: Self.at(13, 5)),
                FunctionSpec(
                    name: "sink", target: .cloudevents(sink: "http://sink:8080/"), topics: ["images.deleted"], body: .binary, timeout: .seconds(45),
                    location: Self.at(19, 5)),
            ])
        #expect(parsed.functions.map(\.address) == ["thumbnails.media", "resize", "sink"])
    }

    @Test func retrySettingsAreRead() {
        let parsed = Self.parse(
            """
            functions:
              - name: billing
                target: log
                topic: t
                retry: {max_attempts: 8, max_age: 2m, backoff: 500ms, max_backoff: 30s, max_retry_after: 1m}
              - name: audit
                target: log
                topic: t
                retry: {max_attempts: 2}
            """)
        #expect(parsed.errors == [])
        #expect(
            parsed.functions.map(\.retry) == [
                RetrySettings(maxAttempts: 8, maxAge: .seconds(120), backoff: .milliseconds(500), maxBackoff: .seconds(30), maxRetryAfter: .seconds(60)),
                RetrySettings(maxAttempts: 2),
            ])
    }

    @Test func defaults() {
        let parsed = Self.parse("functions:\n  - name: audit\n    target: log\n    topic: audit\n")
        #expect(parsed.errors == [])
        #expect(parsed.functions == [FunctionSpec(name: "audit", target: .log, topics: ["audit"], location: Self.at(2, 5))])
        let audit = parsed.functions.first
        #expect(audit?.mode == .async)
        #expect(audit?.body == .original)
        #expect(audit?.timeout == .seconds(30))
        #expect(audit?.concurrency == 16)
        #expect(audit?.headers == [])
        #expect(audit?.contentType == nil)
        #expect(audit?.callbackURL == nil)
        #expect(audit?.retry == RetrySettings())
        // A CloudEvents sink takes CloudEvents: binary mode unless written otherwise.
        let sink = Self.parse("functions:\n  - name: s\n    target: {cloudevents: \"http://sink\"}\n    topic: t\n")
        #expect(sink.errors == [])
        #expect(sink.functions.first?.body == .binary)
    }

    /// Functions of every file, in table order; an address twice across files names both places.
    @Test func theLoaderCollectsFunctionsAndRefusesDuplicateAddresses() throws {
        let good = try RouteFileParserTests.makeFolder([
            "b.yaml": "functions:\n  - name: b\n    target: log\n    topic: t\n",
            "a.yaml": "routes:\n" + RouteFileParserTests.route("r", "x") + "functions:\n  - name: a2\n    target: log\n    topic: t\n  - name: a1\n    target: log\n    topic: t\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: good) }
        let table = try RouteLoader.load(directory: good)
        #expect(table.functions.map(\.address) == ["a2", "a1", "b"])
        #expect(table.functions.map(\.location) == [
            GatewayCore.SourceLocation(file: "a.yaml", line: 6, column: 5), GatewayCore.SourceLocation(file: "a.yaml", line: 9, column: 5), GatewayCore.SourceLocation(file: "b.yaml", line: 2, column: 5),
        ])

        let bad = try RouteFileParserTests.makeFolder([
            "a.yaml": "functions:\n  - name: thumbnails\n    namespace: media\n    target: log\n    topic: t\n",
            "shop/b.yaml": "functions:\n  - name: other\n    target: log\n    topic: t\n  - name: thumbnails\n    namespace: media\n    target: log\n    topic: u\n",
            "shop/c.yaml": "functions:\n  - name: other\n    target: log\n    topic: t\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let errors = try #require(throws: RouteErrors.self) { try RouteLoader.load(directory: bad) }
        #expect(
            errors.description == """
                shop/b.yaml:5:5: duplicate function "thumbnails.media"; first defined at a.yaml:2:5 (hint: a function's address (name.namespace) is unique across all route files)
                shop/c.yaml:2:5: duplicate function "other"; first defined at shop/b.yaml:2:5 (hint: a function's address (name.namespace) is unique across all route files)
                """)
    }

    /// A file may hold functions only, or nothing in its list; routes and tests stay as they were.
    @Test func aFileWithOnlyFunctionsIsValid() {
        #expect(RouteLoader.parseFile(yaml: "functions: []\n", file: "f.yaml").errors.isEmpty)
        #expect(RouteLoader.parseFile(yaml: "functions:\n", file: "f.yaml").errors.isEmpty)
        let mixed = RouteLoader.parseFile(
            yaml: "routes:\n  - id: r\n    topic: t\n    when: {type: a}\nfunctions:\n  - name: f\n    target: log\n    topic: t\n", file: "f.yaml")
        #expect(mixed.errors.isEmpty)
        #expect(mixed.routes.map(\.id) == ["r"])
        #expect(mixed.functions.map(\.name) == ["f"])
    }

    static let errorCases: [RouteFileErrorCase] = [
        RouteFileErrorCase(
            "unknown keys",
            """
            functions:
              - name: a
                target: log
                topicz: [t]
                url: http://x
                callback: http://y
            """,
            [
                "f.yaml:2:5: \(missingTopics)",
                "f.yaml:4:5: unknown key \"topicz\" in a function; \(validKeys) (hint: did you mean `topic`?)",
                "f.yaml:5:5: unknown key \"url\" in a function; \(validKeys) (hint: the URL goes under target: {http: URL}, {openfaas: URL} or {cloudevents: URL})",
                "f.yaml:6:5: unknown key \"callback\" in a function; \(validKeys) (hint: did you mean `callback_url`?)",
            ]),
        RouteFileErrorCase(
            "function keys at file level",
            """
            functions:
            name: a
            target: log
            functinos: []
            """,
            [
                "f.yaml:2:1: unknown key \"name\" at the top of the file; valid keys: group, routes, tests, functions (hint: `functions:` is a list: start each function with `- name:`)",
                "f.yaml:3:1: unknown key \"target\" at the top of the file; valid keys: group, routes, tests, functions (hint: `functions:` is a list: start each function with `- name:`)",
                "f.yaml:4:1: unknown key \"functinos\" at the top of the file; valid keys: group, routes, tests, functions (hint: did you mean `functions`?)",
            ]),
        RouteFileErrorCase(
            "functions is not a list",
            "functions: {name: a}\n",
            ["f.yaml:1:12: functions: expected a sequence, found a mapping"]),
        RouteFileErrorCase(
            "targets",
            """
            functions:
              - name: a
                target: {url: "http://x"}
                topic: t
              - name: b
                target: http://x
                topic: t
              - name: c
                target: {http: "http://x", openfaas: "http://y"}
                topic: t
              - name: d
                target: openfaas
                topic: t
              - name: e
                target: [log]
                topic: t
              - name: f
                target: {log: true}
                topic: t
              - name: g
                target: {}
                topic: t
            """,
            [
                "f.yaml:3:14: unknown target kind \"url\"; write one of http, openfaas, cloudevents, or target: log (hint: name the kind of target: {http: URL}, {openfaas: URL} or {cloudevents: URL})",
                "f.yaml:6:13: target: expected \(targets), found \"http://x\" (hint: name the kind of target: {http: http://x}, or openfaas or cloudevents)",
                "f.yaml:9:32: target: write exactly one of http, openfaas, cloudevents; a function runs in one place",
                "f.yaml:12:13: target: expected \(targets), found \"openfaas\" (hint: write target: {openfaas: URL})",
                "f.yaml:15:13: target: expected \(targets), found a sequence",
                "f.yaml:18:14: unknown target kind \"log\"; write one of http, openfaas, cloudevents, or target: log (hint: write target: log)",
                "f.yaml:21:13: target: expected \(targets), found an empty mapping",
            ]),
        RouteFileErrorCase(
            "wrong types",
            """
            functions:
              - name: 42
                namespace: [x]
                target: log
                topics: [a, 5]
                headers: [X-Team]
                content_type: 7
              - name: b
                target: log
                topics: orders
              - name: c
                target: log
                topic: [a, b]
              - name: d
                target: log
                topic: a
                topics: [b]
            """,
            [
                "f.yaml:2:11: name: expected a string, found a number (hint: quote it to make it a string: name: \"42\")",
                "f.yaml:3:16: namespace: expected a string, found a sequence",
                "f.yaml:5:17: topics: expected a string, found a number (hint: quote it to make it a string: topics: \"5\")",
                "f.yaml:6:14: headers: expected a mapping of header names to values, found a sequence",
                "f.yaml:7:19: content_type: expected a string, found a number (hint: quote it to make it a string: content_type: \"7\")",
                "f.yaml:10:13: topics: expected a sequence, found a string (hint: write topics: [orders], or topic: orders)",
                "f.yaml:13:12: topic: expected a string, found a sequence (hint: for several topics write topics: [a, b])",
                "f.yaml:17:5: write either \"topic\" or \"topics\", not both (hint: list every topic under topics: [a, b])",
            ]),
        RouteFileErrorCase(
            "missing name, target and topics",
            """
            functions:
              - namespace: media
              - {}
              - thumbnails
              - name: a
                target: log
                topics: []
            """,
            [
                "f.yaml:2:5: missing \"name\" (the function's name, like thumbnails)",
                "f.yaml:2:5: missing \"target\" (where it runs: \(targets))",
                "f.yaml:2:5: \(missingTopics)",
                "f.yaml:3:5: missing \"name\" (the function's name, like thumbnails)",
                "f.yaml:3:5: missing \"target\" (where it runs: \(targets))",
                "f.yaml:3:5: \(missingTopics)",
                "f.yaml:4:5: expected a function (a mapping starting with name:), found a string (hint: start each function with `- name:`)",
                "f.yaml:7:13: topics: an empty list; name at least one topic",
            ]),
        RouteFileErrorCase(
            "names and URLs",
            """
            functions:
              - name: Thumbnails
                namespace: -media
                target: {http: "ftp://files"}
                topic: t
              - name: b
                target: {openfaas: "gateway:8080"}
                topic: t
              - name: c
                target: {cloudevents: "http://"}
                topic: t
                callback_url: nope
            """,
            [
                "f.yaml:2:11: name: \"Thumbnails\" is not valid: use lower-case letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit (hint: write name: thumbnails)",
                "f.yaml:3:16: namespace: \"-media\" is not valid: use lower-case letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit",
                "f.yaml:4:20: http: \"ftp://files\" is not an http or https URL with a host",
                "f.yaml:7:24: openfaas: \"gateway:8080\" is not an http or https URL with a host (hint: add the scheme: http://gateway:8080)",
                "f.yaml:10:27: cloudevents: \"http://\" is not an http or https URL with a host",
                "f.yaml:12:19: callback_url: \"nope\" is not an http or https URL with a host (hint: add the scheme: http://nope)",
            ]),
        RouteFileErrorCase(
            "modes, bodies, durations and concurrency",
            """
            functions:
              - name: a
                target: log
                topic: t
                mode: asynchronous
                body: structured
                timeout: 10
                concurrency: 0
              - name: b
                target: log
                topic: t
                mode: Sync
                body: [original]
                timeout: 0s
                concurrency: "8"
              - name: c
                target: log
                topic: t
                timeout: 1.5s
                concurrency: -1
              - name: d
                target: log
                topic: t
                timeout: 99999999999s
                concurrency: 2.5
            """,
            [
                "f.yaml:5:11: mode: expected one of sync, async, found \"asynchronous\"",
                "f.yaml:6:11: body: expected one of original, cloudevent, binary, grouped, found \"structured\" (hint: did you mean `cloudevent`?)",
                "f.yaml:7:14: timeout: expected a duration like 500ms, 10s or 2m, found a number (hint: add a unit: timeout: 10s)",
                "f.yaml:8:18: concurrency: must be at least 1",
                "f.yaml:12:11: mode: expected one of sync, async, found \"Sync\" (hint: did you mean `sync`?)",
                "f.yaml:13:11: body: expected one of original, cloudevent, binary, grouped, found a sequence",
                "f.yaml:14:14: timeout: must be more than 0",
                "f.yaml:15:18: concurrency: expected a whole number >= 1, found a string (hint: remove the quotes: concurrency: 8)",
                "f.yaml:19:14: timeout: \"1.5s\" is not a duration; write a whole number and a unit: ms, s or m (500ms, 10s, 2m)",
                "f.yaml:20:18: concurrency: must be at least 1",
                "f.yaml:24:14: timeout: \"99999999999s\" is not a duration; write a whole number and a unit: ms, s or m (500ms, 10s, 2m)",
                "f.yaml:25:18: concurrency: expected a whole number >= 1, found a number",
            ]),
        RouteFileErrorCase(
            "headers and content type",
            """
            functions:
              - name: a
                target: log
                topic: t
                headers:
                  Content-Type: text/plain
                  X-Callback-Url: http://x
                  X-Topic: mine
                  "Bad Name": x
                  X-Team: media
                  x-team: other
                  X-Count: 5
                  X-Trace: "a\\nb"
                content_type: json
            """,
            [
                "f.yaml:6:7: headers: Content-Type is set by the gateway (hint: set it with content_type:)",
                "f.yaml:7:7: headers: X-Callback-Url is set by the gateway (hint: set it with callback_url:)",
                "f.yaml:8:7: headers: X-Topic is set by the gateway (hint: the gateway sends the topic that selected the function)",
                "f.yaml:9:7: headers: \"Bad Name\" is not a header name (letters, digits and !#$%&'*+-.^_`|~)",
                "f.yaml:11:7: headers: x-team is written twice (header names ignore case)",
                "f.yaml:12:16: X-Count: expected a string, found a number (hint: quote it to make it a string: X-Count: \"5\")",
                "f.yaml:13:16: X-Trace: a header value may not hold line breaks",
                "f.yaml:14:19: content_type: \"json\" is not a media type like application/json",
            ]),
        RouteFileErrorCase(
            "callback and body against the target",
            """
            functions:
              - name: a
                target: {openfaas: "http://gateway:8080"}
                topic: t
                mode: sync
                callback_url: http://results/done
              - name: b
                target: {http: "http://x"}
                topic: t
                callback_url: http://results/done
              - name: c
                target: {cloudevents: "http://sink"}
                topic: t
                body: original
            """,
            [
                "f.yaml:6:5: callback_url: only async OpenFaaS functions take a callback (X-Callback-Url on /async-function/ calls) (hint: set mode: async, or remove callback_url)",
                "f.yaml:10:5: callback_url: only async OpenFaaS functions take a callback (X-Callback-Url on /async-function/ calls) (hint: remove it, or use target: {openfaas: URL} with mode: async)",
                "f.yaml:14:11: body: a cloudevents sink takes CloudEvents; write binary (the default for this target) or cloudevent",
            ]),
        RouteFileErrorCase(
            "duplicate addresses in one file",
            """
            functions:
              - name: a
                namespace: media
                target: log
                topic: t
              - name: a
                target: log
                topic: t
              - name: a
                namespace: media
                target: {http: "nope"}
                topic: t
            """,
            [
                "f.yaml:9:5: duplicate function \"a.media\"; first defined at f.yaml:2:5 (hint: a function's address (name.namespace) is unique across all route files)",
                "f.yaml:11:20: http: \"nope\" is not an http or https URL with a host (hint: add the scheme: http://nope)",
            ]),
        RouteFileErrorCase(
            "retry settings",
            """
            functions:
              - name: a
                target: log
                topic: t
                retry: 3
              - name: b
                target: log
                topic: t
                retry:
                  max_attempt: 3
                  max_age: 10
                  backoff: 2s
                  max_backoff: 1s
                  max_retry_after: 0s
              - name: c
                target: log
                topic: t
                retry: {max_attempts: 0}
            """,
            [
                "f.yaml:5:12: retry: expected a mapping (max_attempts, max_age, backoff, max_backoff, max_retry_after), found a number",
                "f.yaml:10:7: unknown key \"max_attempt\" in retry; valid keys: max_attempts, max_age, backoff, max_backoff, max_retry_after (hint: did you mean `max_attempts`?)",
                "f.yaml:11:16: max_age: expected a duration like 500ms, 10s or 2m, found a number (hint: add a unit: max_age: 10s)",
                "f.yaml:12:16: retry: backoff is longer than max_backoff (hint: the backoff starts at backoff and doubles up to max_backoff)",
                "f.yaml:14:24: max_retry_after: must be more than 0",
                "f.yaml:18:27: max_attempts: must be at least 1",
            ]),
    ]

    /// Each error class, with its exact location, message and hint.
    @Test(arguments: errorCases)
    func errorLines(_ errorCase: RouteFileErrorCase) {
        errorCase.expectLines(RouteLoader.parseFile(yaml: errorCase.yaml, file: "f.yaml").errors)
    }

    /// The YAML examples of docs/functions.md load as written.
    @Test func documentationExamplesParse() throws {
        let text = try String(contentsOfFile: Fixtures.repository + "/docs/functions.md", encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count == 1)
        for block in blocks {
            let parsed = Self.parse(block)
            #expect(parsed.errors == [])
            #expect(parsed.functions.map(\.address) == ["thumbnails.media", "audit", "billing.finance", "archive"])
            #expect(parsed.functions.last?.body == .binary)
        }
    }

    /// Good functions of a file with problems are kept (the table still refuses to load).
    @Test func goodFunctionsOfABadFileAreKept() {
        let parsed = Self.parse("functions:\n  - name: good\n    target: log\n    topic: t\n  - name: bad\n    target: log\n")
        #expect(parsed.errors == ["f.yaml:5:5: \(Self.missingTopics)"])
        #expect(parsed.functions.map(\.name) == ["good"])
    }
}
