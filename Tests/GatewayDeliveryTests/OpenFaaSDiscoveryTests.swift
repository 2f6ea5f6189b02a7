import GatewayCore
import GatewayDelivery
import GatewayStubs
import InMemoryLogging
import Logging
import ServiceLifecycle
import Testing

/// Discovery against a stub OpenFaaS gateway: the connector-sdk's lookups, its unit-test cases, and
/// the behaviours it gets wrong (404, failures, stale queries).
struct OpenFaaSDiscoveryTests {
    typealias Function = StubOpenFaaSGateway.Function

    /// Runs `body` with a started gateway and a discovery on it.
    static func withDiscovery<T>(
        functions: [Function], defaultNamespace: String? = nil, pathPrefix: String = "",
        configure: (inout OpenFaaSDiscoveryConfiguration) -> Void = { _ in }, logger: Logger = Support.quiet,
        _ body: (StubOpenFaaSGateway, OpenFaaSDiscovery) async throws -> T
    ) async throws -> T {
        let gateway = try await StubOpenFaaSGateway.start(functions: functions, defaultNamespace: defaultNamespace, pathPrefix: pathPrefix)
        defer { Task { await gateway.stop() } }
        return try await Support.withClient { client in
            var configuration = OpenFaaSDiscoveryConfiguration(gatewayURL: gateway.url)
            configure(&configuration)
            return try await body(gateway, OpenFaaSDiscovery(configuration: configuration, client: client, logger: logger))
        }
    }

    /// topic -> addresses, as the connector-sdk's map.
    static func topicMap(_ functions: [FunctionSpec]) -> [String: [String]] {
        var map: [String: [String]] = [:]
        for function in functions {
            for topic in function.topics { map[topic, default: []].append(function.address) }
        }
        return map
    }

    @Test func listsEveryNamespaceWithBasicAuthAndCallsWithout() async throws {
        let functions = [
            Function(name: "resize", namespace: "images", topic: "uploads, thumbnails"),
            Function(name: "audit", namespace: "ops", topic: "uploads"),
            Function(name: "quiet", namespace: "ops"),
            Function(name: "other", namespace: "ops", annotations: ["com.openfaas.scale.min": "1"]),
        ]
        try await Self.withDiscovery(functions: functions, configure: { $0.credentials = .init(user: "admin", password: "s3cret") }) { gateway, discovery in
            gateway.credentials = .init(user: "admin", password: "s3cret")
            let result = try await discovery.rebuild().get()
            #expect(gateway.lookups.map(\.target) == ["/system/namespaces", "/system/functions?namespace=images", "/system/functions?namespace=ops"])
            #expect(gateway.lookups.allSatisfy { $0.method == "GET" && $0.header("Authorization") == "Basic YWRtaW46czNjcmV0" })
            #expect(
                result == [
                    FunctionSpec(name: "resize", namespace: "images", target: .openfaas(gateway: gateway.url), topics: ["uploads", "thumbnails"], mode: .sync),
                    FunctionSpec(name: "audit", namespace: "ops", target: .openfaas(gateway: gateway.url), topics: ["uploads"], mode: .sync),
                ])
            #expect(discovery.functions == result)
            #expect(discovery.status.version == 1)
            #expect(discovery.status.functionCount == 2)
            #expect(discovery.status.lastError == nil)

            // The discovered function is called without the lookup credentials.
            try await Support.withInvoker { invoker in
                let invocation = Invocation(function: result[0], topics: ["uploads"], envelopes: [], payload: Support.payload("{}"))
                #expect(await invoker.invoke(invocation).outcome == .delivered)
            }
            let call = try #require(gateway.invocations.first)
            #expect(call.target == "/function/resize.images")
            #expect(call.values(of: "Authorization").isEmpty)
        }
    }

    @Test func wrongCredentialsFailTheBuildWithAHint() async throws {
        try await Self.withDiscovery(functions: [Function(name: "f", namespace: "ns", topic: "t")], configure: { $0.credentials = .init(user: "admin", password: "wrong") }) { gateway, discovery in
            gateway.credentials = .init(user: "admin", password: "right")
            let error = try #require(await discovery.rebuild().failure)
            #expect(error.code == .unauthorized)
            #expect(error.url == gateway.url + "/system/namespaces")
            #expect(error.description == "GET \(gateway.url)/system/namespaces: the gateway answered 401 Unauthorized: check the basic auth user and password")
            #expect(discovery.functions.isEmpty)
            #expect(discovery.status.version == 0)
        }
    }

    @Test func namespaces404MeansOneListingWithoutANamespace() async throws {
        let functions = [Function(name: "echo", topic: "t1"), Function(name: "elsewhere", namespace: "x", topic: "t1")]
        try await Self.withDiscovery(functions: functions) { gateway, discovery in
            gateway.namespacesReply = .status(404)
            let result = try await discovery.rebuild().get()
            #expect(gateway.lookups.map(\.target) == ["/system/namespaces", "/system/functions"])
            #expect(result.map(\.address) == ["echo"])
        }
    }

    @Test(arguments: [StubOpenFaaSGateway.NamespacesReply.list([]), .body(""), .body("  \n")])
    func noNamespacesMeansOneListingWithoutANamespace(_ reply: StubOpenFaaSGateway.NamespacesReply) async throws {
        try await Self.withDiscovery(functions: [Function(name: "echo", namespace: "openfaas-fn", topic: "t1")], defaultNamespace: "openfaas-fn") { gateway, discovery in
            gateway.namespacesReply = reply
            let result = try await discovery.rebuild().get()
            #expect(gateway.lookups.map(\.target) == ["/system/namespaces", "/system/functions"])
            // Listed without a namespace: the entry's own namespace names it.
            #expect(result.map(\.address) == ["echo.openfaas-fn"])
        }
    }

    @Test func namespaceFilterListsOnlyThatNamespace() async throws {
        let functions = [Function(name: "a", namespace: "team-a", topic: "t"), Function(name: "b", namespace: "team b", topic: "t")]
        try await Self.withDiscovery(functions: functions, configure: { $0.namespace = "team b" }) { gateway, discovery in
            let result = try await discovery.rebuild().get()
            #expect(gateway.lookups.map(\.target) == ["/system/functions?namespace=team%20b"])
            #expect(result.map(\.address) == ["b.team b"])
        }
    }

    @Test func pathPrefixIsKeptAndNoQueryGoesStale() async throws {
        try await Self.withDiscovery(functions: [Function(name: "f", namespace: "ns", topic: "t")], pathPrefix: "/openfaas") { gateway, discovery in
            _ = try await discovery.rebuild().get()
            _ = try await discovery.rebuild().get()
            #expect(
                gateway.lookups.map(\.target) == [
                    "/openfaas/system/namespaces", "/openfaas/system/functions?namespace=ns", "/openfaas/system/namespaces",
                    "/openfaas/system/functions?namespace=ns",
                ])
            #expect(discovery.functions.first?.target == .openfaas(gateway: gateway.url))
            // Unchanged: the version stays.
            #expect(discovery.status.version == 1)
        }
    }

    struct DelimiterCase: Sendable, CustomTestStringConvertible {
        var name: String
        var annotation: String
        var delimiter: String?
        var topics: [String]
        var testDescription: String { name }
    }

    /// The connector-sdk's unit-test cases (function_list_builder_test.go) and its probed behaviours.
    static let delimiterCases: [DelimiterCase] = [
        .init(name: "Test_BuildSingleMatchingFunction", annotation: "topic1", delimiter: ",", topics: ["topic1"]),
        .init(name: "Test_Build_SingleFunctionNoDelimiter", annotation: "topic1", delimiter: nil, topics: ["topic1"]),
        .init(name: "TestBuildMultiMatchingFunction", annotation: "topic1,topic2,topic3", delimiter: ",", topics: ["topic1", "topic2", "topic3"]),
        .init(name: "Test_Build_JustDelim", annotation: ",", delimiter: ",", topics: []),
        .init(
            name: "Test_Build_MultiMatchingFunctionBespokeDelim", annotation: "topic1|topic2|topic3,withcomma", delimiter: "|",
            topics: ["topic1", "topic2", "topic3,withcomma"]),
        .init(name: "parts are trimmed and empty parts dropped", annotation: " a ,, b ,\t", delimiter: ",", topics: ["a", "b"]),
        .init(name: "no delimiter: the whole trimmed value", annotation: " a , b ", delimiter: nil, topics: ["a , b"]),
        .init(name: "an empty delimiter does not split", annotation: "a,b", delimiter: "", topics: ["a,b"]),
        .init(name: "an empty annotation", annotation: "  ", delimiter: ",", topics: []),
        .init(name: "a delimiter of several characters", annotation: "a::b::c", delimiter: "::", topics: ["a", "b", "c"]),
    ]

    @Test(arguments: delimiterCases)
    func topicAnnotationIsSplitAsTheConnectorSDKDoes(_ testCase: DelimiterCase) async throws {
        #expect(OpenFaaSDiscovery.topics(in: testCase.annotation, delimiter: testCase.delimiter) == testCase.topics)
        // And the same through a build.
        try await Self.withDiscovery(functions: [Function(name: "echo", namespace: "openfaas-fn", topic: testCase.annotation)], configure: { $0.topicDelimiter = testCase.delimiter }) { _, discovery in
            let result = try await discovery.rebuild().get()
            #expect(result.flatMap(\.topics) == testCase.topics)
        }
    }

    @Test func buildMultipleNamespaceFunction() async throws {
        // Test_BuildMultipleNamespaceFunction: the same function in two namespaces subscribes twice.
        let functions = [Function(name: "echo", namespace: "openfaas-fn", topic: "topic1"), Function(name: "echo", namespace: "fn", topic: "topic1")]
        try await Self.withDiscovery(functions: functions) { _, discovery in
            let map = Self.topicMap(try await discovery.rebuild().get())
            #expect(map == ["topic1": ["echo.fn", "echo.openfaas-fn"]])
        }
    }

    @Test func buildNoFunctions() async throws {
        try await Self.withDiscovery(functions: []) { gateway, discovery in
            gateway.extraNamespaces = ["openfaas-fn"]
            let functions = try await discovery.rebuild().get()
            #expect(functions.isEmpty)
            #expect(discovery.status.version == 1)
            #expect(discovery.status.lastBuiltAt != nil)
        }
    }

    @Test func discoveredFunctionsTakeTheConfiguredDefaults() async throws {
        let defaults = OpenFaaSDiscoveryConfiguration.FunctionDefaults(
            mode: .async, body: .cloudevent, contentType: "application/json", headers: [HeaderField("X-Env", "prod")], timeout: .seconds(3),
            concurrency: 4, callbackURL: "http://cb")
        try await Self.withDiscovery(functions: [Function(name: "f", namespace: "ns", topic: "t")], configure: { $0.functionDefaults = defaults }) { gateway, discovery in
            let function = try #require(try await discovery.rebuild().get().first)
            #expect(
                function
                    == FunctionSpec(
                        name: "f", namespace: "ns", target: .openfaas(gateway: gateway.url), topics: ["t"], mode: .async, body: .cloudevent,
                        contentType: "application/json", headers: [HeaderField("X-Env", "prod")], timeout: .seconds(3), concurrency: 4,
                        callbackURL: "http://cb"))
        }
    }

    @Test func failedBuildsKeepTheLastGoodList() async throws {
        let logs = InMemoryLogHandler()
        try await Self.withDiscovery(functions: [Function(name: "f", namespace: "ns", topic: "t")], logger: Logger(label: "test", factory: { _ in logs })) { gateway, discovery in
            let good = try await discovery.rebuild().get()

            gateway.functionsStatus = 500
            let failure = try #require(await discovery.rebuild().failure)
            #expect(failure.code == .badStatus)
            #expect(failure.message == "the gateway answered 500 scripted failure")
            #expect(discovery.functions == good)
            #expect(discovery.status.lastError == failure)
            #expect(discovery.status.version == 1)

            gateway.functionsStatus = nil
            gateway.namespacesReply = .body("<html>oops</html>")
            #expect(await discovery.rebuild().failure?.code == .malformedResponse)

            gateway.namespacesReply = .body(#"["ok", 7]"#)
            let shape = try #require(await discovery.rebuild().failure)
            #expect(shape.message == "expected a namespace name (a string) at $[1], found a number")
            #expect(discovery.functions == good)

            gateway.namespacesReply = .fromFunctions
            _ = try await discovery.rebuild().get()
            #expect(discovery.status.lastError == nil)
            #expect(discovery.status.version == 1)

            let errors = logs.entries.filter { $0.level == .error }
            #expect(errors.count == 3)
            #expect(errors.first?.message.description == "openfaas discovery failed: GET \(gateway.url)/system/functions?namespace=ns: the gateway answered 500 scripted failure; version 1 stays in use")
            #expect(errors.first?.metadata["openfaas.error.code"] == "bad_status")
        }
    }

    @Test func unreachableGatewayIsAFailureNotACrash() async throws {
        let gateway = try await StubOpenFaaSGateway.start()
        let url = gateway.url
        await gateway.stop()
        try await Support.withClient(Support.failFast) { client in
            let discovery = OpenFaaSDiscovery(configuration: .init(gatewayURL: url), client: client, logger: Support.quiet)
            let failure = try #require(await discovery.rebuild().failure)
            #expect(failure.code == .unreachable)
            #expect(failure.message.hasPrefix("no answer from the OpenFaaS gateway: "))

            let invalid = OpenFaaSDiscovery(configuration: .init(gatewayURL: "gateway:8080"), client: client, logger: Support.quiet)
            #expect(await invalid.rebuild().failure?.code == .invalidGatewayURL)
        }
    }

    @Test func serviceRebuildsOnItsIntervalAndAnnouncesChanges() async throws {
        try await Self.withDiscovery(functions: [Function(name: "a", namespace: "ns", topic: "t")], configure: { $0.interval = .milliseconds(30) }) { gateway, discovery in
            var updates = discovery.updates.makeAsyncIterator()
            try await Support.running([discovery]) {
                #expect(await updates.next()?.map(\.address) == ["a.ns"])

                gateway.functions.append(Function(name: "b", namespace: "ns", topic: "t"))
                #expect(await updates.next()?.map(\.address) == ["a.ns", "b.ns"])
                #expect(discovery.status.version == 2)

                // A failing gateway does not stop the service; recovery brings the next change.
                gateway.functionsStatus = 503
                let failing = try await Support.eventually { discovery.status.lastError?.code == .badStatus }
                #expect(failing)
                #expect(discovery.functions.map(\.address) == ["a.ns", "b.ns"])
                gateway.functionsStatus = nil
                gateway.functions.removeFirst()
                #expect(await updates.next()?.map(\.address) == ["b.ns"])
                #expect(discovery.status.lastError == nil)
            }
            // The stream ends with the service.
            #expect(await updates.next() == nil)
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
