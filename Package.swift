// swift-tools-version:6.2
import PackageDescription

var swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]
// scripts/test.sh (and so CI) builds with warnings as errors.
if Context.environment["RERANK_WARNINGS_AS_ERRORS"] != nil {
    swiftSettings.append(.treatAllWarnings(as: .error))
}

let package = Package(
    name: "rerank",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rerank", targets: ["rerank"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        // Domain types, configuration and errors. No NIO.
        .target(name: "RerankCore", swiftSettings: swiftSettings),
        // Byte-level JSON: the hit scanner for responses and the ordered value tree for request bodies.
        .target(name: "RerankJSON", swiftSettings: swiftSettings),
        // The Ranker seam, business rules and score blending.
        .target(name: "Ranking", dependencies: ["RerankCore", "RerankJSON"], swiftSettings: swiftSettings),
        // Point-in-time features: the interaction statistics and the feature rows computed from them.
        .target(name: "Features", dependencies: ["RerankCore", "RerankJSON"], swiftSettings: swiftSettings),
        // Learning to rank: dataset, objective, tree learner, booster, metrics, model file.
        .target(name: "LTR", swiftSettings: swiftSettings),
        // Report rendering shared by evaluation and experiment reports: HTML pages and inline SVG charts.
        .target(name: "Reporting", swiftSettings: swiftSettings),
        // Experiments: stable assignment, team-draft interleaving, and the report's statistics. LTR lends the
        // fixed hash (FNV-1a) and the seeded generator (SplitMix64).
        .target(
            name: "Experiments",
            dependencies: ["EventLog", "LTR", "Ranking", "Reporting", "RerankJSON"],
            swiftSettings: swiftSettings
        ),
        // Personalized ranking from logs: replay, training, the model file, the serving ranker.
        .target(
            name: "Personalization",
            dependencies: ["Features", "LTR", "EventLog", "Ranking", "Reporting", "RerankCore", "RerankJSON"],
            swiftSettings: swiftSettings
        ),
        // Interaction logs in OpenSearch UBI form: records, readers, durable writers, validation, import.
        .target(name: "EventLog", dependencies: ["RerankJSON"], swiftSettings: swiftSettings),
        // The Hummingbird application: search path, passthrough, operations endpoints.
        .target(
            name: "RerankServer",
            dependencies: [
                "RerankCore", "RerankJSON", "Ranking", "EventLog", "Experiments", "Features", "LTR", "Personalization",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test support: an osmem-server harness and fixtures.
        .target(
            name: "RerankTesting",
            dependencies: [
                "RerankServer", "EventLog", "Features", "LTR",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "rerank",
            dependencies: [
                "RerankCore", "RerankServer", "LTR", "EventLog", "Experiments", "Features", "Personalization", "RerankJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks (not tests): in-process scoring latency. Run bench/scoring/run.sh.
        .executableTarget(
            name: "rerank-bench-scoring",
            dependencies: ["Personalization", "Features", "LTR", "Ranking", "RerankCore", "RerankTesting"],
            path: "bench/scoring/Sources",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "RerankCoreTests", dependencies: ["RerankCore"], swiftSettings: swiftSettings),
        .testTarget(name: "RerankJSONTests", dependencies: ["RerankJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "RankingTests", dependencies: ["Ranking"], swiftSettings: swiftSettings),
        .testTarget(name: "LTRTests", dependencies: ["LTR"], swiftSettings: swiftSettings),
        .testTarget(name: "FeaturesTests", dependencies: ["Features"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ExperimentsTests", dependencies: ["Experiments", "EventLog", "LTR", "RerankJSON"], swiftSettings: swiftSettings
        ),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "RerankJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PersonalizationTests",
            dependencies: ["Personalization", "Features", "LTR", "EventLog", "Ranking", "RerankCore", "RerankJSON", "RerankTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RerankServerTests",
            dependencies: [
                "RerankServer", "RerankTesting", "EventLog", "Personalization",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
