import Logging
import RerankJSON
import ServiceLifecycle
import Synchronization

/// Where log records go: the durable NDJSON files, the cluster's UBI indices, or both.
public protocol RecordSink: Sendable {
    /// Stores `records`; returns once they are durable, throws when they are not.
    func append(_ records: [JSONObject]) async throws
}

/// Queues impression records off the search path and writes them in batches.
///
/// A search never waits for its impression to be written. The writer waits `flushInterval` after the first record
/// of a batch, so a busy sidecar makes one write (and fsync) per interval, not one per search or two. The queue is
/// bounded: when it is full the record is counted (`rerank_log_dropped_total`) and logged, never silently lost. A
/// failed write is retried, with the batch kept, until it succeeds or the service stops.
final class ImpressionLog: Service, Sendable {
    private struct State {
        var buffer: [JSONObject] = []
        var waiter: CheckedContinuation<Void, Never>?
        var stopping = false
    }

    private let sink: any RecordSink
    private let capacity: Int
    /// How long a batch gathers records before it is written (`log.flush_ms`); zero writes as soon as the writer
    /// is free.
    private let flushInterval: Duration
    private let metrics: ProxyMetrics
    private let logger: Logger
    private let state = Mutex(State())

    init(sink: any RecordSink, capacity: Int, flushInterval: Duration = .zero, metrics: ProxyMetrics, logger: Logger) {
        self.sink = sink
        self.capacity = capacity
        self.flushInterval = flushInterval
        self.metrics = metrics
        self.logger = logger
    }

    /// Records queued and not yet handed to the sink.
    var depth: Int { state.withLock { $0.buffer.count } }

    /// The most records the queue holds.
    var queueCapacity: Int { capacity }

    /// Queues one record; never blocks.
    func record(_ record: JSONObject) {
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard state.buffer.count < capacity else { return (false, nil) }
            state.buffer.append(record)
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume()
        if !accepted {
            metrics.logDropped()
            logger.warning("impression log queue full (\(capacity) records); record dropped", metadata: ["query_id": "\(record["query_id"]?.stringValue ?? "")"])
        }
    }

    /// Writes batches until shutdown, then what is left. Cancelled, it stops the same way, but gives up on a
    /// batch the sink keeps failing instead of retrying it.
    func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                while let batch = await nextBatch() {
                    await write(batch)
                }
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            stop()
        }
    }

    /// Lets the writer finish: it writes what is queued, then ends.
    private func stop() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.stopping = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The queued records, once some have gathered for `flushInterval`; nil once stopping with nothing left.
    private func nextBatch() async -> [JSONObject]? {
        while true {
            await recordsOrStop()
            if flushInterval > .zero, !state.withLock({ $0.stopping }) {
                try? await Task.sleep(for: flushInterval)
            }
            let (batch, finished) = state.withLock { state -> ([JSONObject], Bool) in
                let batch = state.buffer
                state.buffer = []
                return (batch, state.stopping && batch.isEmpty)
            }
            if !batch.isEmpty { return batch }
            if finished { return nil }
        }
    }

    /// Returns once records are queued or the log is stopping.
    private func recordsOrStop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.stopping || !state.buffer.isEmpty { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func write(_ batch: [JSONObject]) async {
        var delay = Duration.milliseconds(50)
        while true {
            do {
                try await sink.append(batch)
                metrics.logWritten(batch.count)
                return
            } catch {
                metrics.logWriteFailed()
                let stopping = state.withLock { $0.stopping }
                logger.error("impression log write failed; retrying", metadata: ["error": "\(error)", "records": "\(batch.count)"])
                if stopping && delay > .seconds(2) {
                    logger.critical("impression log lost \(batch.count) records at shutdown: \(error)")
                    metrics.logDropped(batch.count)
                    return
                }
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    // Cancelled (not a graceful stop): retrying without a pause would spin.
                    logger.critical("impression log lost \(batch.count) records: cancelled while the log was failing: \(error)")
                    metrics.logDropped(batch.count)
                    return
                }
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
