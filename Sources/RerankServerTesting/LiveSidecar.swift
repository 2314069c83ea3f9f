import Foundation
import Hummingbird
import HummingbirdTesting
import RerankConfiguration
import RerankServer
import RerankTesting

/// Runs `body` against a live sidecar in front of a fresh osmem-server loaded with the sample catalog.
///
/// ```swift
/// try await withLiveSidecar { config in config.rerank.weight = 1 } test: { client, cluster in
///     try await client.execute(uri: "/products/_search", method: .get) { #expect($0.status == .ok) }
/// }
/// ```
public func withLiveSidecar(
    configure: (inout ServerConfiguration) -> Void = { _ in },
    now: @escaping @Sendable () -> Date = Date.init,
    test: @escaping @Sendable (any TestClientProtocol, OsmemServer) async throws -> Void
) async throws {
    let cluster = try await OsmemServer.start()
    defer { cluster.stop() }
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.upstream.urls = [cluster.url]
    configure(&configuration)
    let app = try buildApplication(configuration, now: now)
    try await app.test(.live) { client in
        try await test(client, cluster)
    }
}

/// The sidecar configuration the live tests share: a popularity and rating signal ranker, out-of-stock buried,
/// and a rerank budget no test run can exceed.
public func configureSampleRanking(_ configuration: inout ServerConfiguration) {
    configuration.rerank.signals = [
        .init(field: "popularity", weight: 1, transform: .log1p),
        .init(field: "rating", weight: 0.5),
    ]
    configuration.rerank.rules = [.init(action: .bury, match: .field("in_stock", [.bool(false)]))]
    configuration.rerank.weight = 0.7
    // Debug builds on a loaded 2-core machine can exceed the production budget; the fallback has its own test.
    configuration.rerank.budgetMilliseconds = 10_000
}
