// swift-tools-version:6.1

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// Tests import their dependencies the ordinary way.
let testSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "event-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "GatewayCore", targets: ["GatewayCore"]),
        .executable(name: "event-gateway", targets: ["EventGateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Envelope, JSON, time parsing, dialect detection, decoders, route table: Foundation and Yams only.
        .target(
            name: "GatewayCore",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // Fixture loading shared by the tests and the benchmarks.
        .target(
            name: "GatewayTesting",
            dependencies: ["GatewayCore"],
            swiftSettings: swiftSettings
        ),
        // The running gateway: route table reloads now, the HTTP server later.
        .target(
            name: "GatewayServer",
            dependencies: [
                "GatewayCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "EventGateway",
            dependencies: [
                "GatewayCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Release-built measurement loops; not part of `swift test`.
        .executableTarget(
            name: "GatewayBench",
            dependencies: ["GatewayCore", "GatewayTesting"],
            path: "Benchmarks/GatewayBench",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayCoreTests",
            dependencies: ["GatewayCore", "GatewayTesting"],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "GatewayServerTests",
            dependencies: [
                "GatewayServer",
                "GatewayCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "EventGatewayTests",
            dependencies: ["EventGateway", "GatewayCore", "GatewayTesting"],
            swiftSettings: testSwiftSettings
        ),
    ]
)
