import Logging
import RerankJSON
import Synchronization
import Testing

@testable import RerankServer

/// The impression writer gathers records for `log.flush_ms` before a batch goes to the sink.
@Suite struct ImpressionLogTests {
    /// Keeps every batch it is given, as a log that always succeeds.
    final class RecordingSink: RecordSink, Sendable {
        let batches = Mutex<[[String]]>([])

        func append(_ records: [JSONObject]) async throws {
            batches.withLock { $0.append(records.map { $0["query_id"]?.stringValue ?? "" }) }
        }
    }

    static func log(_ sink: any RecordSink, flushInterval: Duration) -> ImpressionLog {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return ImpressionLog(sink: sink, capacity: 100, flushInterval: flushInterval, metrics: ProxyMetrics(), logger: logger)
    }

    /// The writer is stopped by cancelling it, which ends its wait: it then writes what it holds, in one batch.
    @Test(.timeLimit(.minutes(5))) func recordsArrivingWithinTheIntervalShareOneWrite() async throws {
        let sink = RecordingSink()
        let log = Self.log(sink, flushInterval: .seconds(3600))
        let writer = Task { try await log.run() }
        log.record(JSONObject(["query_id": .string("q1")]))
        try await Task.sleep(for: .milliseconds(300))
        let early = sink.batches.withLock { $0 }
        #expect(early.isEmpty, "q1 was written before the interval ended")
        log.record(JSONObject(["query_id": .string("q2")]))
        writer.cancel()
        _ = await writer.result
        #expect(sink.batches.withLock { $0 } == [["q1", "q2"]])
    }

    @Test(.timeLimit(.minutes(5))) func eachBatchHoldsTheRecordsSinceTheLast() async throws {
        let sink = RecordingSink()
        let log = Self.log(sink, flushInterval: .milliseconds(200))
        let writer = Task { try await log.run() }
        log.record(JSONObject(["query_id": .string("q1")]))
        log.record(JSONObject(["query_id": .string("q2")]))
        try await waitUntil("the first batch is written") { !sink.batches.withLock { $0 }.isEmpty }
        log.record(JSONObject(["query_id": .string("q3")]))
        try await waitUntil("the second batch is written") { sink.batches.withLock { $0 }.count == 2 }
        writer.cancel()
        _ = await writer.result
        #expect(sink.batches.withLock { $0 } == [["q1", "q2"], ["q3"]])
    }
}
