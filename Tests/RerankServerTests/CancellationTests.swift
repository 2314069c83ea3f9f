import Foundation
import Logging
import Ranking
import RerankJSON
import Synchronization
import Testing

@testable import RerankServer

/// Services end when their task is cancelled (not a graceful stop): none waits out its interval, spins, or retries
/// forever.
@Suite struct CancellationTests {
    /// A sink that is always failing, as a full disk is.
    struct FailingSink: RecordSink {
        struct Full: Error {}

        func append(_ records: [JSONObject]) async throws { throw Full() }
    }

    /// Runs `body` in a task, cancels it once it is running, and tells whether it ended within `limit`.
    ///
    /// The services wait an hour between checks, so ending at all shows they did not wait out their interval.
    /// `limit` is far below that but generous, as CI runs the training suites alongside: they can hold every
    /// thread of the cooperative pool for a minute and more, and a cancelled task needs one to end.
    func endsWhenCancelled(within limit: Duration = .seconds(300), _ body: @escaping @Sendable () async throws -> Void) async throws -> Bool {
        let task = Task { try await body() }
        try await Task.sleep(for: .milliseconds(100))  // let the service reach its wait
        task.cancel()
        let first = FirstAnswer()
        return await withCheckedContinuation { continuation in
            Task {
                _ = await task.result
                first.give(true, to: continuation)
            }
            Task {
                try? await Task.sleep(for: limit)
                first.give(false, to: continuation)
            }
        }
    }

    @Test func theExperimentWatcherEndsWithoutWaitingOutItsInterval() async throws {
        let watcher = ExperimentWatcher(
            path: "/nonexistent/rerank.json", rerankers: RerankerStore(Reranker(ranker: nil, rules: [], defaultWeight: 1)),
            live: nil, servedModel: nil, metrics: ProxyMetrics(), logger: Logger(label: "test"), interval: .seconds(3600))
        #expect(try await endsWhenCancelled { try await watcher.run() })
    }

    @Test func theHeapTrimmerEndsWithoutWaitingOutItsInterval() async throws {
        let trimmer = HeapTrimmer(interval: .seconds(3600))
        #expect(try await endsWhenCancelled { try await trimmer.run() })
    }

    @Test func theImpressionLogStopsRetryingAFailingSink() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let metrics = ProxyMetrics()
        let log = ImpressionLog(sink: FailingSink(), capacity: 10, metrics: metrics, logger: logger)
        log.record(JSONObject(["query_id": .string("q1")]))
        #expect(try await endsWhenCancelled { try await log.run() })
        #expect(String(decoding: metrics.exposition(), as: UTF8.self).contains("rerank_log_dropped_total 1"))
    }
}

/// Resumes a continuation with the first answer given, once.
private final class FirstAnswer: Sendable {
    private let given = Atomic<Bool>(false)

    func give(_ answer: Bool, to continuation: CheckedContinuation<Bool, Never>) {
        guard given.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        continuation.resume(returning: answer)
    }
}
