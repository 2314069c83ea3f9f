import Foundation
import Logging
import Ranking
import RerankJSON
import Testing

@testable import RerankServer

/// Services end promptly when their task is cancelled (not a graceful stop): none waits out its interval, spins,
/// or retries forever.
@Suite struct CancellationTests {
    /// A sink that is always failing, as a full disk is.
    struct FailingSink: RecordSink {
        struct Full: Error {}

        func append(_ records: [JSONObject]) async throws { throw Full() }
    }

    /// Runs `body` in a task, cancels it once it is running, and returns how long it took to end.
    func timeToEndAfterCancel(_ body: @escaping @Sendable () async throws -> Void) async throws -> Duration {
        let task = Task { try await body() }
        try await Task.sleep(for: .milliseconds(100))  // let the service reach its wait; what is measured is the end
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        _ = await task.result
        return clock.now - start
    }

    @Test func theExperimentWatcherEndsWithoutWaitingOutItsInterval() async throws {
        let watcher = ExperimentWatcher(
            path: "/nonexistent/rerank.json", rerankers: RerankerStore(Reranker(ranker: nil, rules: [], defaultWeight: 1)),
            live: nil, servedModel: nil, metrics: ProxyMetrics(), logger: Logger(label: "test"), interval: .seconds(3600))
        #expect(try await timeToEndAfterCancel { try await watcher.run() } < .seconds(2))
    }

    @Test func theImpressionLogStopsRetryingAFailingSink() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let metrics = ProxyMetrics()
        let log = ImpressionLog(sink: FailingSink(), capacity: 10, metrics: metrics, logger: logger)
        log.record(JSONObject(["query_id": .string("q1")]))
        #expect(try await timeToEndAfterCancel { try await log.run() } < .seconds(2))
        #expect(String(decoding: metrics.exposition(), as: UTF8.self).contains("rerank_log_dropped_total 1"))
    }
}
