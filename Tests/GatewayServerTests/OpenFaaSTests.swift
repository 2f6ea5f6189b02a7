import Foundation
import GatewayCore
import GatewayServer
import GatewayStubs
import HTTPTypes
import HummingbirdTesting
import InMemoryLogging
import Logging
import NIOCore
import Testing

extension LiveSuites {
    /// OpenFaaS compatibility through the running gateway: functions discovered on a stub OpenFaaS gateway
    /// by their `topic` annotation receive the events routed to their topics, as the connector-sdk calls
    /// them.
    @Suite
    struct OpenFaaSTests {
        /// Runs `body` with a gateway discovering functions on `openfaas` every 100 ms, with one route per
        /// topic (an event of CloudEvents type T goes to topic T) and the `declared` functions; stops
        /// `openfaas` afterwards, however `body` ends.
        static func run(
            _ openfaas: StubOpenFaaSGateway, topics: [String], declaring declared: [FunctionDeclaration] = [],
            configure: @escaping (inout GatewayConfiguration) -> Void = { _ in },
            _ body: @escaping @Sendable (LiveGateway, GatewayClient) async throws -> Void
        ) async throws {
            try await withCleanup {
                let folder = try RoutesFolder()
                let routes = topics.enumerated().map {
                    RouteDeclaration(id: "topic-\($0.offset)", topic: $0.element, when: "{type: \(yamlString($0.element))}")
                }
                try folder.write("topics.yaml", routeFile(routes: routes, functions: declared))
                let gateway = LiveGateway(folder) { configuration in
                    configuration.openfaas = OpenFaaSSettings(gateway: openfaas.url, interval: .milliseconds(100))
                    configure(&configuration)
                }
                try await gateway.run { client in try await body(gateway, client) }
            } cleanup: {
                await openfaas.stop()
            }
        }

        /// A structured CloudEvent of `type`.
        static func event(type: String, id: String = "e-1") -> String {
            #"{"specversion":"1.0","id":"\#(id)","source":"/tests","type":\#(yamlString(type)),"data":{"n":1}}"#
        }

        /// Waits for a discovery whose list has `count` functions.
        static func discovered(_ gateway: LiveGateway, count: Int) async -> Bool {
            await gateway.waitForLog("openfaas functions discovered") { $0["openfaas.functions"] == "\(count)" }
        }

        /// How many rebuilds failed so far.
        static func failedRebuilds(_ gateway: LiveGateway) -> Int {
            gateway.logs.entries.count { "\($0.message)".hasPrefix("openfaas discovery failed") }
        }

        /// Waits until at least `count` rebuilds failed.
        static func failedRebuilds(_ gateway: LiveGateway, atLeast count: Int) async -> Bool {
            await eventually { failedRebuilds(gateway) >= count }
        }

        static let images = StubOpenFaaSGateway.Function(name: "thumbnails", namespace: "openfaas-fn", topic: " images , videos,, ")
        static let videos = StubOpenFaaSGateway.Function(name: "transcode", namespace: "openfaas-fn", topic: "videos")
        static let untagged = StubOpenFaaSGateway.Function(name: "untagged", namespace: "openfaas-fn")
        static let audit = StubOpenFaaSGateway.Function(name: "audit", namespace: "team-b", topic: "images")

        /// The `topic` annotation maps topics to functions (split on the delimiter, trimmed, empty parts
        /// dropped, every namespace); sync calls go to `/function/NAME.NAMESPACE` with the original body.
        @Test func annotationsMapTopicsToFunctions() async throws {
            let openfaas = try await StubOpenFaaSGateway.start(functions: [Self.images, Self.videos, Self.untagged, Self.audit])
            try await Self.run(openfaas, topics: ["images", "videos"]) { gateway, client in
                #expect(await Self.discovered(gateway, count: 3))
                let videos = try await client.post("/", json: Self.event(type: "videos", id: "v-1"))
                #expect(videos.status == .ok)
                #expect(Set(openfaas.invocations.map(\.path)) == ["/function/thumbnails.openfaas-fn", "/function/transcode.openfaas-fn"])
                #expect(openfaas.invocations.count == 2)
                for call in openfaas.invocations {
                    #expect(call.text == Self.event(type: "videos", id: "v-1"))
                    #expect(call.values(of: "X-Topic") == ["videos"])
                    #expect(call.values(of: "Content-Type") == ["application/json"])
                    #expect(call.values(of: "X-Connector") == ["event-gateway"])
                    #expect(call.header("X-Callback-Url") == nil)
                }
                openfaas.clearRequests()
                let images = try await client.post("/", json: Self.event(type: "images", id: "i-1"))
                #expect(images.status == .ok)
                #expect(Set(openfaas.invocations.map(\.path)) == ["/function/thumbnails.openfaas-fn", "/function/audit.team-b"])
                #expect(openfaas.invocations.count == 2)
            }
        }

        /// `topic_delimiter` splits the annotation; an empty one keeps it whole.
        @Test(arguments: [("|", ["a", "b,c"]), ("", ["a|b,c"])])
        func topicDelimiter(delimiter: String, topics: [String]) async throws {
            let function = StubOpenFaaSGateway.Function(name: "split", namespace: "openfaas-fn", topic: " a|b,c ")
            let openfaas = try await StubOpenFaaSGateway.start(functions: [function])
            let probes = ["a", "b,c", "a|b,c", "b"]
            try await Self.run(openfaas, topics: probes, configure: { $0.openfaas?.topicDelimiter = delimiter }) { gateway, client in
                #expect(await Self.discovered(gateway, count: 1))
                var reached: [String] = []
                for topic in probes {
                    openfaas.clearRequests()
                    _ = try await client.post("/", json: Self.event(type: topic))
                    if !openfaas.invocations.isEmpty { reached.append(topic) }
                }
                #expect(reached == topics)
            }
        }

        /// Async mode: `/async-function/NAME.NAMESPACE` with the gateway-wide `X-Callback-Url`; a declared
        /// OpenFaaS function sets its own.
        @Test func asyncCallsCarryTheCallbackURL() async throws {
            let openfaas = try await StubOpenFaaSGateway.start(functions: [Self.videos])
            let target = "{openfaas: \(yamlString(openfaas.url))}"
            var declared = FunctionDeclaration(name: "archive", namespace: "media", target: target, topics: ["videos"])
            declared.mode = "async"
            declared.callbackURL = "http://127.0.0.1:9/archive-results"
            let configure: (inout GatewayConfiguration) -> Void = { configuration in
                configuration.openfaas?.mode = .async
                configuration.callbackURL = "http://127.0.0.1:9/results"
            }
            try await Self.run(openfaas, topics: ["videos"], declaring: [declared], configure: configure) { gateway, client in
                #expect(await Self.discovered(gateway, count: 1))
                let response = try await client.post("/", json: Self.event(type: "videos"))
                #expect(response.status == .accepted)
                #expect(String(buffer: response.body) == #"{"accepted":["e-1"],"queued":2,"unsubscribed":0}"#)
                let calls = try await openfaas.waitForInvocations(count: 2, timeout: .seconds(30))
                let callbacks = Dictionary(uniqueKeysWithValues: calls.map { ($0.path, $0.values(of: "X-Callback-Url")) })
                #expect(
                    callbacks == [
                        "/async-function/transcode.openfaas-fn": ["http://127.0.0.1:9/results"],
                        "/async-function/archive.media": ["http://127.0.0.1:9/archive-results"],
                    ])
            }
        }

        /// Basic auth goes on every `/system/*` lookup and never on a function call.
        @Test func basicAuthOnLookupsOnly() async throws {
            let credentials = StubOpenFaaSGateway.Credentials(user: "admin", password: "s3cret")
            let openfaas = try await StubOpenFaaSGateway.start(functions: [Self.videos], credentials: credentials)
            let configure: (inout GatewayConfiguration) -> Void = { configuration in
                configuration.openfaas?.username = "admin"
                configuration.openfaas?.password = "s3cret"
            }
            try await Self.run(openfaas, topics: ["videos"], configure: configure) { gateway, client in
                #expect(await Self.discovered(gateway, count: 1))
                let response = try await client.post("/", json: Self.event(type: "videos"))
                #expect(response.status == .ok)
                let basic = "Basic " + Data("admin:s3cret".utf8).base64EncodedString()
                let lookups = openfaas.lookups
                #expect(Set(lookups.map(\.target)).isSuperset(of: ["/system/namespaces", "/system/functions?namespace=openfaas-fn"]))
                #expect(lookups.allSatisfy { $0.values(of: "Authorization") == [basic] })
                #expect(openfaas.invocations.map(\.path) == ["/function/transcode.openfaas-fn"])
                #expect(openfaas.invocations.allSatisfy { $0.header("Authorization") == nil })
            }
        }

        /// Wrong credentials: discovery fails (401), nothing is mapped, and the gateway keeps serving.
        @Test func refusedLookupsMapNothingAndStopNothing() async throws {
            let credentials = StubOpenFaaSGateway.Credentials(user: "admin", password: "s3cret")
            let openfaas = try await StubOpenFaaSGateway.start(functions: [Self.videos], credentials: credentials)
            try await Self.run(openfaas, topics: ["videos"], configure: { $0.openfaas?.username = "admin" }) { gateway, client in
                #expect(await Self.failedRebuilds(gateway, atLeast: 1))
                let response = try await client.post("/", json: Self.event(type: "videos"))
                #expect(response.status == .accepted)
                #expect(String(buffer: response.body) == #"{"accepted":["e-1"],"queued":0,"unsubscribed":1}"#)
                #expect(openfaas.invocations.isEmpty)
                try await client.expectServing()
            }
        }

        /// A function deployed while the gateway runs is called after the next rebuild.
        @Test func rebuildPicksUpNewFunctions() async throws {
            let openfaas = try await StubOpenFaaSGateway.start(functions: [Self.videos])
            try await Self.run(openfaas, topics: ["videos"]) { gateway, client in
                #expect(await Self.discovered(gateway, count: 1))
                _ = try await client.post("/", json: Self.event(type: "videos", id: "before"))
                #expect(openfaas.invocations.map(\.path) == ["/function/transcode.openfaas-fn"])
                openfaas.functions.append(Self.images)
                #expect(await Self.discovered(gateway, count: 2))
                openfaas.clearRequests()
                _ = try await client.post("/", json: Self.event(type: "videos", id: "after"))
                #expect(Set(openfaas.invocations.map(\.path)) == ["/function/transcode.openfaas-fn", "/function/thumbnails.openfaas-fn"])
            }
        }

        /// How a rebuild fails: the namespaces answer an error status, garbage, or the wrong shape; or the
        /// function list answers an error status.
        enum Failure: String, CaseIterable, Sendable {
            case namespacesStatus, namespacesNotJSON, namespacesNotAList, functionsStatus

            func script(_ openfaas: StubOpenFaaSGateway) {
                switch self {
                case .namespacesStatus: openfaas.namespacesReply = .status(500)
                case .namespacesNotJSON: openfaas.namespacesReply = .body("not json")
                case .namespacesNotAList: openfaas.namespacesReply = .body(#"{"namespaces": []}"#)
                case .functionsStatus: openfaas.functionsStatus = 503
                }
            }
        }

        /// A failed rebuild keeps the last good map: deliveries go on, and the process keeps serving.
        @Test(arguments: Failure.allCases)
        func failedRebuildKeepsTheLastGoodMap(failure: Failure) async throws {
            let openfaas = try await StubOpenFaaSGateway.start(functions: [Self.videos])
            try await Self.run(openfaas, topics: ["videos"]) { gateway, client in
                #expect(await Self.discovered(gateway, count: 1))
                failure.script(openfaas)
                #expect(await Self.failedRebuilds(gateway, atLeast: 1))
                // Undeploy too, once builds fail: a build already past the namespaces must not see it.
                openfaas.functions = []
                #expect(await Self.failedRebuilds(gateway, atLeast: Self.failedRebuilds(gateway) + 2))
                let response = try await client.post("/", json: Self.event(type: "videos"))
                #expect(response.status == .ok)
                #expect(openfaas.invocations.map(\.path) == ["/function/transcode.openfaas-fn"])
                try await client.expectServing()
            }
        }

        /// With a namespace filter only that namespace is mapped, without listing the others.
        @Test func namespaceFilterMapsOneNamespace() async throws {
            let openfaas = try await StubOpenFaaSGateway.start(functions: [Self.images, Self.audit])
            try await Self.run(openfaas, topics: ["images"], configure: { $0.openfaas?.namespace = "team-b" }) { gateway, client in
                #expect(await Self.discovered(gateway, count: 1))
                let response = try await client.post("/", json: Self.event(type: "images"))
                #expect(response.status == .ok)
                #expect(openfaas.invocations.map(\.path) == ["/function/audit.team-b"])
                #expect(Set(openfaas.lookups.map(\.target)) == ["/system/functions?namespace=team-b"])
            }
        }

        /// A gateway without namespace support answers 404 on `/system/namespaces`: its functions are listed
        /// without a namespace and called by their bare name.
        @Test func namespaces404MeansNoNamespaces() async throws {
            let legacy = StubOpenFaaSGateway.Function(name: "legacy", topic: "videos")
            let openfaas = try await StubOpenFaaSGateway.start(functions: [legacy])
            openfaas.namespacesReply = .status(404)
            try await Self.run(openfaas, topics: ["videos"]) { gateway, client in
                #expect(await Self.discovered(gateway, count: 1))
                let response = try await client.post("/", json: Self.event(type: "videos"))
                #expect(response.status == .ok)
                #expect(openfaas.invocations.map(\.path) == ["/function/legacy"])
                #expect(openfaas.lookups.map(\.target).contains("/system/functions"))
            }
        }

        /// Each topic matcher, on the topic an annotation gives: whether an event of the routed topic
        /// reaches the function.
        @Test(arguments: [
            (TopicMatching.exact, "orders.created", "orders.created", true),
            (.exact, "Orders.Created", "orders.created", false),
            (.exact, "orders.*", "orders.created", false),
            (.exact, "orders.*", "orders.*", true),
            (.ignoreCase, "Orders.Created", "orders.created", true),
            (.ignoreCase, "STRASSE", "straße", true),
            (.ignoreCase, "orders.*", "orders.created", false),
            (.wildcard, "orders.*", "orders.created", true),
            (.wildcard, "orders.*", "orders.eu.created", true),
            (.wildcard, "orders.*", "invoices.created", false),
            (.wildcard, #"orders.\*"#, "orders.created", false),
        ])
        func topicMatching(matching: TopicMatching, annotation: String, topic: String, called: Bool) async throws {
            let function = StubOpenFaaSGateway.Function(name: "matcher", namespace: "openfaas-fn", topic: annotation)
            let openfaas = try await StubOpenFaaSGateway.start(functions: [function])
            try await Self.run(openfaas, topics: [topic], configure: { $0.topicMatching = matching }) { gateway, client in
                #expect(await Self.discovered(gateway, count: 1))
                let response = try await client.post("/", json: Self.event(type: topic))
                #expect(response.status == (called ? .ok : .accepted))
                #expect(openfaas.invocations.map(\.path) == (called ? ["/function/matcher.openfaas-fn"] : []))
                #expect(try jsonObject(response)["unsubscribed"] as? Int == (called ? 0 : 1))
            }
        }

        /// A declared function and a discovered one with the same address: the declared one is called.
        @Test func declaredFunctionsWinOverDiscoveredOnes() async throws {
            try await StubFunction.withStub { stub in
                let openfaas = try await StubOpenFaaSGateway.start(functions: [Self.videos])
                let declared = FunctionDeclaration.http("transcode", url: stub.url, topics: ["videos"], mode: "sync", namespace: "openfaas-fn")
                try await Self.run(openfaas, topics: ["videos"], declaring: [declared]) { gateway, client in
                    #expect(await Self.discovered(gateway, count: 1))
                    let response = try await client.post("/", json: Self.event(type: "videos"))
                    #expect(response.status == .ok)
                    #expect(stub.requests.count == 1)
                    #expect(openfaas.invocations.isEmpty)
                }
            }
        }
    }
}
