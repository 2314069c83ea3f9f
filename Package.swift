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
    // Every package is pinned to an exact version, the ones the targets name and the ones they bring, so that
    // two builds of one commit build the same code (Package.resolved is not committed). Raise a pin on purpose,
    // in a commit that says so; `swift package show-dependencies` lists the graph.
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", exact: "1.5.0"),
        // Brought by the packages above; pinned here only to fix their versions (SwiftPM notes that no target of
        // ours names them: that is expected).
        .package(url: "https://github.com/apple/swift-algorithms.git", exact: "1.2.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", exact: "1.7.4"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", exact: "1.1.4"),
        .package(url: "https://github.com/apple/swift-atomics.git", exact: "1.3.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", exact: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", exact: "1.7.3"),
        .package(url: "https://github.com/apple/swift-http-structured-headers.git", exact: "1.7.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", exact: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-transport-services.git", exact: "1.28.0"),
        .package(url: "https://github.com/apple/swift-numerics.git", exact: "1.1.1"),
        .package(url: "https://github.com/apple/swift-service-context.git", exact: "1.5.1"),
        .package(url: "https://github.com/apple/swift-system.git", exact: "1.8.1"),
    ],
    targets: [
        // Domain types, errors and small shared utilities (FNV-1a, SplitMix64, SipHash, a lock). No NIO.
        .target(name: "RerankCore", swiftSettings: swiftSettings),
        // Byte-level JSON: the hit scanner for responses and the ordered value tree for request bodies.
        .target(name: "RerankJSON", swiftSettings: swiftSettings),
        // The Ranker seam, business rules and score blending.
        .target(name: "Ranking", dependencies: ["RerankCore", "RerankJSON"], swiftSettings: swiftSettings),
        // A cache prefetch hint, which Swift lacks: the feature store overlaps a search's cache misses with it.
        .target(name: "CPrefetch"),
        // glibc's heap statistics (mallinfo2) for /metrics and its trim (malloc_trim); nothing elsewhere.
        .target(name: "CHeapStatistics"),
        // Point-in-time features: the interaction statistics and the feature rows computed from them.
        .target(name: "Features", dependencies: ["CPrefetch", "RerankCore", "RerankJSON"], swiftSettings: swiftSettings),
        // Learning to rank, what serving needs: the model file (trees, parameters, extras) and the compiled scorer.
        .target(name: "LTRModel", dependencies: ["CScoring", "RerankCore"], swiftSettings: swiftSettings),
        // The scorer's AVX-512 kernels (threshold ranks, tree walk), AVX2 walk and SSE ranks, which Swift cannot ask
        // for in one function and C can; LTRModel calls them only where the processor has the instructions.
        .target(name: "CScoring"),
        // Learning to rank, training and offline metrics, after LightGBM's source tree: IO/ (dataset, binning,
        // LETOR and TREC files, LightGBM config), Objective/, TreeLearner/, Boosting/, Metric/.
        .target(name: "LTRTraining", dependencies: ["LTRModel", "RerankCore"], swiftSettings: swiftSettings),
        // Report rendering shared by evaluation and experiment reports: HTML pages and inline SVG charts.
        .target(name: "Reporting", swiftSettings: swiftSettings),
        // Experiments, per search: stable assignment, variants, team-draft interleaving. The server links this.
        .target(name: "Experiments", dependencies: ["Ranking", "RerankCore"], swiftSettings: swiftSettings),
        // Experiments, offline: the report from logs and its statistics. The CLI links this.
        .target(
            name: "ExperimentAnalysis",
            dependencies: ["Experiments", "EventLog", "Reporting", "RerankJSON"],
            swiftSettings: swiftSettings
        ),
        // Personalized ranking, serving: the live feature state, the model file's payload and the ranker.
        .target(
            name: "Personalization",
            dependencies: ["Features", "LTRModel", "EventLog", "Ranking", "RerankCore", "RerankJSON"],
            swiftSettings: swiftSettings
        ),
        // Personalized ranking, offline: training and evaluation from logs, the item catalog, the HTML report.
        .target(
            name: "PersonalizationTraining",
            dependencies: [
                "Personalization", "Features", "LTRModel", "LTRTraining", "EventLog", "Ranking", "Reporting", "RerankCore",
                "RerankJSON",
            ],
            swiftSettings: swiftSettings
        ),
        // Interaction logs in OpenSearch UBI form: records, readers, durable writers, validation, import.
        .target(name: "EventLog", dependencies: ["RerankJSON"], swiftSettings: swiftSettings),
        // The cluster's UBI indices read back: whole (train, evaluate, a restart's catch-up) or tailed (shared state).
        .target(
            name: "ClusterLogs",
            dependencies: [
                "EventLog", "RerankJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The sidecar's configuration: the value, its loading from file, environment and flags, its errors. No NIO:
        // `rerank report` reads experiments from a config file without linking the server.
        .target(
            name: "RerankConfiguration",
            dependencies: ["RerankCore", "RerankJSON", "Ranking", "Features", "Experiments", "EventLog"],
            swiftSettings: swiftSettings
        ),
        // The Hummingbird application, in folders by concern: Proxy/ (search path, passthrough), Logging/ (impressions,
        // events, sinks, spool, shipper), Operations/ (admin, health, metrics, watchers), Experiments/, OnlineState/.
        // Links no trainer and no report code.
        .target(
            name: "RerankServer",
            dependencies: [
                "ClusterLogs",
                "CHeapStatistics", "RerankCore", "RerankJSON", "RerankConfiguration", "Ranking", "EventLog", "Experiments", "Features",
                "Personalization",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fixtures that need no server: a synthetic interaction log, synthetic ranking data. Benches and library tests
        // link this.
        .target(
            name: "RerankFixtures",
            dependencies: ["EventLog", "Features", "LTRTraining", "RerankCore", "RerankJSON"],
            swiftSettings: swiftSettings
        ),
        // Test support that needs no server: the osmem-server harness, a JSON fuzzer, the repository's files.
        .target(
            name: "RerankTesting",
            dependencies: [
                "RerankCore", "RerankJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Server test support: a live sidecar in front of a fresh osmem-server. Only the server tests link this.
        .target(
            name: "RerankServerTesting",
            dependencies: [
                "RerankServer", "RerankConfiguration", "RerankTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "rerank",
            dependencies: [
                "ClusterLogs", "RerankCore", "RerankConfiguration", "RerankServer", "LTRModel", "LTRTraining", "EventLog", "Experiments",
                "ExperimentAnalysis", "Features", "Personalization", "PersonalizationTraining", "RerankJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks (not tests): in-process scoring latency (it trains its model first). Run bench/scoring/run.sh.
        // Links no server.
        .executableTarget(
            name: "rerank-bench-scoring",
            dependencies: [
                "Personalization", "PersonalizationTraining", "Features", "LTRModel", "LTRTraining", "Ranking", "RerankCore",
                "RerankFixtures", "RerankJSON",
            ],
            path: "bench/scoring/Sources",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "RerankCoreTests", dependencies: ["RerankCore"], swiftSettings: swiftSettings),
        .testTarget(name: "RerankJSONTests", dependencies: ["RerankCore", "RerankJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "RankingTests", dependencies: ["Ranking"], swiftSettings: swiftSettings),
        // The model file and its scorer; the tests train their model first.
        .testTarget(
            name: "LTRModelTests",
            dependencies: ["LTRModel", "LTRTraining", "RerankCore", "RerankFixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LTRTrainingTests",
            dependencies: ["LTRTraining", "LTRModel", "RerankCore", "RerankFixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "FeaturesTests", dependencies: ["Features", "RerankCore", "RerankJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "RerankCore"], swiftSettings: swiftSettings),
        // The report, its statistics, and team-draft judged with the report's preference test.
        .testTarget(
            name: "ExperimentAnalysisTests",
            dependencies: ["ExperimentAnalysis", "Experiments", "EventLog", "RerankCore", "RerankJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "RerankJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "ClusterLogsTests", dependencies: ["ClusterLogs", "EventLog", "RerankJSON"], swiftSettings: swiftSettings),
        // Serving: the model file, the live feature state and its parity with training; the tests train their models
        // first.
        .testTarget(
            name: "PersonalizationTests",
            dependencies: [
                "Personalization", "PersonalizationTraining", "Features", "EventLog", "LTRTraining", "Ranking",
                "RerankCore", "RerankFixtures",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PersonalizationTrainingTests",
            dependencies: [
                "PersonalizationTraining", "Personalization", "Features", "LTRModel", "LTRTraining", "EventLog",
                "RerankFixtures",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RerankServerTests",
            dependencies: [
                "ClusterLogs", "RerankServer", "RerankConfiguration", "RerankServerTesting", "RerankTesting", "RerankFixtures", "EventLog",
                "ExperimentAnalysis", "Features", "Personalization", "PersonalizationTraining",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
