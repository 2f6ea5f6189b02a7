import GatewayCore
import Testing

/// Topics to functions: each matching mode, order, one entry per address, and lookups by name.
struct SubscriptionMapTests {
    static func function(_ name: String, _ topics: [String], namespace: String? = nil, body: BodyFormat = .original) -> FunctionSpec {
        FunctionSpec(name: name, namespace: namespace, target: .log, topics: topics, body: body)
    }

    static func addresses(_ map: SubscriptionMap, _ topic: String) -> [String] {
        map.functions(for: topic).map(\.address)
    }

    @Test func exactMatchingComparesBytes() throws {
        let map = try SubscriptionMap(functions: [
            Self.function("a", ["orders.created", "Orders.Created"]),
            Self.function("b", ["orders.created"]),
            Self.function("c", ["caf\u{E9}"]),
            Self.function("d", ["orders.*"]),
        ])
        #expect(map.matching == .exact)
        #expect(Self.addresses(map, "orders.created") == ["a", "b"])
        #expect(Self.addresses(map, "Orders.Created") == ["a"])
        #expect(Self.addresses(map, "ORDERS.CREATED") == [])
        #expect(Self.addresses(map, "orders.*") == ["d"])
        #expect(Self.addresses(map, "orders.updated") == [])
        #expect(Self.addresses(map, "caf\u{E9}") == ["c"])
        // Equal as Swift strings (canonically equivalent), different bytes: the connector-sdk compares bytes.
        #expect("cafe\u{301}" == "caf\u{E9}")
        #expect(Self.addresses(map, "cafe\u{301}") == [])
        #expect(Self.addresses(map, "") == [])
    }

    @Test func ignoreCaseMatchingFoldsUnicode() throws {
        let map = try SubscriptionMap(
            functions: [Self.function("a", ["Orders.Created"]), Self.function("b", ["stra\u{DF}e"]), Self.function("c", ["orders.created"])],
            matching: .ignoreCase)
        #expect(Self.addresses(map, "orders.created") == ["a", "c"])
        #expect(Self.addresses(map, "ORDERS.CREATED") == ["a", "c"])
        #expect(Self.addresses(map, "STRASSE") == ["b"])
        #expect(Self.addresses(map, "Strasse") == ["b"])
        #expect(Self.addresses(map, "orders.created ") == [])
    }

    @Test func wildcardMatchingTakesPatternsAndLiterals() throws {
        let map = try SubscriptionMap(
            functions: [
                Self.function("all-orders", ["orders.*"]),
                Self.function("created", ["*.created"]),
                Self.function("exact", ["orders.created"]),
                Self.function("star", ["a\\*b"]),
                Self.function("eu", ["tenant-*-eu.*", "orders.*.eu"]),
                Self.function("everything", ["*"]),
            ],
            matching: .wildcard)
        #expect(Self.addresses(map, "orders.created") == ["all-orders", "created", "exact", "everything"])
        #expect(Self.addresses(map, "invoices.created") == ["created", "everything"])
        #expect(Self.addresses(map, "Orders.created") == ["created", "everything"])
        #expect(Self.addresses(map, "a*b") == ["star", "everything"])
        #expect(Self.addresses(map, "axb") == ["everything"])
        #expect(Self.addresses(map, "tenant-7-eu.orders") == ["eu", "everything"])
        // One function through two of its patterns, and another pattern: each once, in map order.
        #expect(Self.addresses(map, "orders.x.eu") == ["all-orders", "eu", "everything"])
        #expect(Self.addresses(map, "") == ["everything"])
    }

    @Test func anInvalidWildcardNamesTheFunctionAndTopic() throws {
        var bad = Self.function("bad", ["ok.*", "a**"], namespace: "ns")
        bad.location = GatewayCore.SourceLocation(file: "functions.yaml", line: 3, column: 5)
        let error = try #require(throws: SubscriptionError.self) {
            try SubscriptionMap(functions: [Self.function("good", ["b.*"]), bad], matching: .wildcard)
        }
        #expect(error.code == .invalidWildcard)
        #expect(error.function == "bad.ns")
        #expect(error.topic == "a**")
        #expect(
            error.description
                == "function bad.ns subscribes to \"a**\", which is not a valid wildcard: \"**\" is the same as \"*\"; write one star (declared at functions.yaml:3:5)"
        )
        // The same topic is an ordinary one under the other modes.
        #expect(Self.addresses(try SubscriptionMap(functions: [bad], matching: .exact), "a**") == ["bad.ns"])
        #expect(Self.addresses(try SubscriptionMap(functions: [bad], matching: .ignoreCase), "A**") == ["bad.ns"])
    }

    /// The order given, not by name; each address once, the first spec winning (declared before discovered).
    @Test func orderIsAsGivenAndTheFirstSpecOfAnAddressWins() throws {
        for matching in TopicMatching.allCases {
            let map = try SubscriptionMap(
                functions: [
                    Self.function("z", ["t", "t"]),
                    Self.function("thumbnails", ["t"], namespace: "media"),
                    Self.function("a", ["t"]),
                    Self.function("thumbnails", ["t", "u"], namespace: "media", body: .binary),
                ],
                matching: matching)
            #expect(map.functions.map(\.address) == ["z", "thumbnails.media", "a"])
            #expect(Self.addresses(map, "t") == ["z", "thumbnails.media", "a"])
            #expect(Self.addresses(map, "u") == [])
            #expect(map.function(named: "thumbnails.media")?.body == .original)
        }
    }

    @Test func functionsAreFoundByAddressOrUniqueName() throws {
        let map = try SubscriptionMap(functions: [
            Self.function("thumbnails", ["t"], namespace: "media"),
            Self.function("resize", ["t"], namespace: "a"),
            Self.function("resize", ["t"], namespace: "b"),
            Self.function("plain", ["t"]),
        ])
        #expect(map.function(named: "thumbnails.media")?.address == "thumbnails.media")
        #expect(map.function(named: "thumbnails")?.address == "thumbnails.media")
        #expect(map.function(named: "resize.b")?.address == "resize.b")
        #expect(map.function(named: "resize") == nil)
        #expect(map.function(named: "plain")?.address == "plain")
        #expect(map.function(named: "thumbnails.other") == nil)
        #expect(map.function(named: "") == nil)
        #expect(SubscriptionMap.empty.function(named: "plain") == nil)
        #expect(SubscriptionMap.empty.functions(for: "t").isEmpty)
    }

    /// Ten thousand functions with patterns and literals answer exactly as trying every pattern would.
    @Test func aLargeWildcardMapAnswersLikeTryingEveryPattern() throws {
        var functions: [FunctionSpec] = []
        for index in 0..<10_000 {
            switch index % 4 {
            case 0: functions.append(Self.function("f\(index)", ["tenant-\(index).*"]))
            case 1: functions.append(Self.function("f\(index)", ["tenant-\(index).orders"]))
            case 2: functions.append(Self.function("f\(index)", ["tenant-\(index).*.created", "exact-\(index)"]))
            default: functions.append(Self.function("f\(index)", ["region-\(index % 10)-*"]))
            }
        }
        functions.append(Self.function("audit", ["*.audit"]))
        let map = try SubscriptionMap(functions: functions, matching: .wildcard)
        let patterns = try functions.map { try $0.topics.map { try WildcardPattern($0) } }
        var topics: [String] = ["x.audit", "tenant-40.audit", "region-3-anything", "nothing"]
        for index in stride(from: 0, to: 10_000, by: 499) {
            topics += ["tenant-\(index).orders", "tenant-\(index).eu.created", "exact-\(index)", "tenant-\(index)", "region-\(index % 10)-\(index)"]
        }
        var matched = 0
        for topic in topics {
            let bytes = Array(topic.utf8)
            let expected = functions.indices.filter { position in
                bytes.withUnsafeBufferPointer { value in patterns[position].contains { $0.matches(value) } }
            }
            #expect(Self.addresses(map, topic) == expected.map { functions[$0].address }, "\(topic)")
            matched += expected.count
        }
        #expect(matched > topics.count, "the topics should match something")
    }
}
