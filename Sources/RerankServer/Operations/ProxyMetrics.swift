import Features
import Foundation
import Metrics
import Prometheus

/// The sidecar's Prometheus metrics, on a registry of its own so each application (and test) counts apart.
///
/// - `rerank_http_requests_total{route, status}` and `rerank_http_request_duration_seconds{route}`
///   (for a response handed on as it arrives, until its head is: the body follows)
/// - `rerank_upstream_duration_seconds{route}`: time waiting for the cluster (for a response handed on as it
///   arrives, for its head)
/// - `rerank_upstream_cut_responses_total{route, reason}`: responses handed on as they arrived whose body the
///   cluster did not finish, `timeout` (still arriving at `upstream.timeout_ms`) or `error`; the client's connection
///   was closed
/// - `rerank_rerank_duration_seconds`: scanning, ranking and splicing one response
/// - `rerank_searches_total{outcome}`: `reranked`, `skipped` or `fallback`
/// - `rerank_fallbacks_total{reason}` and `rerank_skips_total{reason}`
/// - `rerank_exploration_searches_total`: reranked searches explored (``Exploration``)
/// - `rerank_log_records_written_total`, `rerank_log_dropped_total`, `rerank_log_write_failures_total`
/// - `rerank_events_accepted_total`, `rerank_events_rejected_total{reason}`
/// - `rerank_model_reloads_total{result}`: model files loaded or refused
/// - `rerank_experiment_reloads_total{result}`: changed experiment configurations loaded or refused
/// - `rerank_online_state_entries{table}`, `_capacity{table}`, `_evicted_entries{table}`, `_bytes{table}`: the
///   online statistics' tables (items, users, sessions, query_items, ...) and the filters' event history
///   (`filter_users`, `filter_sessions`): size, bound, evictions, memory
/// - `rerank_online_state_dropped_searches`: served searches dropped because the queue to apply them was full
/// - `rerank_model_hits_scored`, `rerank_model_hits_without_catalog_fields`: hits the model scored, and those
///   with none of the fields it reads category, brand and price from
/// - `rerank_cluster_log_shipped_total{index}`: spooled records stored in the cluster's UBI index
/// - `rerank_cluster_log_backlog_bytes{index}`: spooled bytes not yet in the cluster
/// - `rerank_cluster_log_bulk_failures_total{index}`: `_bulk` attempts that failed and will be retried
/// - `rerank_cluster_log_rejected_total{index}`: records the cluster refused for good, moved to the rejected file
/// - with `indices` entries: `rerank_index_searches_total{index_config, outcome}` (every search, `index_config` the
///   entry's name or `default` for the `rerank` section), and for an entry's own model
///   `rerank_index_model_reloads_total{index_config, result}`, `rerank_index_online_state_entries{index_config, table}`
///   (and `_capacity`, `_evicted_entries`, `_bytes`), `rerank_index_online_state_dropped_searches{index_config}`,
///   `rerank_index_model_hits_scored{index_config}`, `rerank_index_model_hits_without_catalog_fields{index_config}`
/// - `process_resident_memory_bytes`, `rerank_heap_in_use_bytes`, `rerank_heap_free_bytes`: the process's memory
///   at the scrape (``ProcessMemory``)
final class ProxyMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    // Every search records these: their handles are made once per label values (``MetricHandles``).
    private let requests: MetricHandles<RouteStatus, Metrics.Counter>
    private let requestDurations: MetricHandles<String, Metrics.Timer>
    private let upstreamDurations: MetricHandles<String, Metrics.Timer>
    private let searches: MetricHandles<String, Metrics.Counter>
    private let rerankDuration: Metrics.Timer
    /// By reason label (``reasonLabel(_:)``).
    private let skips: MetricHandles<String, Metrics.Counter>
    private let fallbacks: MetricHandles<String, Metrics.Counter>
    private let indexSearches: MetricHandles<IndexOutcome, Metrics.Counter>

    private struct RouteStatus: Hashable, Sendable {
        let route: String
        let status: Int
    }

    private struct IndexOutcome: Hashable, Sendable {
        let indexConfig: String
        let outcome: String
    }

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
        let made = factory
        requests = MetricHandles { key in
            Counter(
                label: "rerank_http_requests_total", dimensions: [("route", key.route), ("status", String(key.status))],
                factory: made)
        }
        requestDurations = MetricHandles { Timer(label: "rerank_http_request_duration_seconds", dimensions: [("route", $0)], factory: made) }
        upstreamDurations = MetricHandles { Timer(label: "rerank_upstream_duration_seconds", dimensions: [("route", $0)], factory: made) }
        searches = MetricHandles { Counter(label: "rerank_searches_total", dimensions: [("outcome", $0)], factory: made) }
        rerankDuration = Timer(label: "rerank_rerank_duration_seconds", factory: made)
        skips = MetricHandles { Counter(label: "rerank_skips_total", dimensions: [("reason", $0)], factory: made) }
        fallbacks = MetricHandles { Counter(label: "rerank_fallbacks_total", dimensions: [("reason", $0)], factory: made) }
        indexSearches = MetricHandles { key in
            Counter(
                label: "rerank_index_searches_total", dimensions: [("index_config", key.indexConfig), ("outcome", key.outcome)],
                factory: made)
        }
    }

    func request(route: String, status: Int, duration: Duration) {
        requests[RouteStatus(route: route, status: status)].increment()
        requestDurations[route].record(duration: duration)
    }

    func upstream(route: String, duration: Duration) {
        upstreamDurations[route].record(duration: duration)
    }

    func upstreamCut(route: String, timedOut: Bool) {
        Counter(
            label: "rerank_upstream_cut_responses_total", dimensions: [("route", route), ("reason", timedOut ? "timeout" : "error")],
            factory: factory
        ).increment()
    }

    func rerank(_ outcome: RerankOutcome, duration: Duration) {
        searches[outcome.label].increment()
        switch outcome {
        case .reranked: rerankDuration.record(duration: duration)
        case .skipped(let reason): skips[Self.reasonLabel(reason)].increment()
        case .fallback(let reason): fallbacks[Self.reasonLabel(reason)].increment()
        }
    }

    /// One `POST /_rerank/rank` request answered: reranked, or in the list's order and why.
    func rankRequest(_ outcome: RerankOutcome) {
        Counter(label: "rerank_rank_requests_total", dimensions: [("outcome", outcome.label)], factory: factory).increment()
    }

    func explored() {
        Counter(label: "rerank_exploration_searches_total", factory: factory).increment()
    }

    func logWritten(_ count: Int) {
        Counter(label: "rerank_log_records_written_total", factory: factory).increment(by: count)
    }

    func logDropped(_ count: Int = 1) {
        Counter(label: "rerank_log_dropped_total", factory: factory).increment(by: count)
    }

    func logWriteFailed() {
        Counter(label: "rerank_log_write_failures_total", factory: factory).increment()
    }

    func eventsAccepted(_ count: Int) {
        guard count > 0 else { return }
        Counter(label: "rerank_events_accepted_total", factory: factory).increment(by: count)
    }

    func eventsRejected(_ count: Int, reason: String) {
        guard count > 0 else { return }
        Counter(label: "rerank_events_rejected_total", dimensions: [("reason", reason)], factory: factory).increment(by: count)
    }

    /// A model file loaded or refused: the `rerank` section's, or an `indices` entry's (`indexConfig`).
    func modelReload(succeeded: Bool, indexConfig: String? = nil) {
        let result = ("result", succeeded ? "loaded" : "failed")
        guard let indexConfig else {
            Counter(label: "rerank_model_reloads_total", dimensions: [result], factory: factory).increment()
            return
        }
        Counter(label: "rerank_index_model_reloads_total", dimensions: [("index_config", indexConfig), result], factory: factory)
            .increment()
    }

    /// One search served by an `indices` entry (`indexConfig`) or the `rerank` section (`default`).
    func indexSearch(_ outcome: RerankOutcome, indexConfig: String) {
        indexSearches[IndexOutcome(indexConfig: indexConfig, outcome: outcome.label)].increment()
    }

    func experimentsReload(succeeded: Bool) {
        Counter(label: "rerank_experiment_reloads_total", dimensions: [("result", succeeded ? "loaded" : "failed")], factory: factory)
            .increment()
    }

    func clusterLogShipped(index: String, _ count: Int) {
        guard count > 0 else { return }
        Counter(label: "rerank_cluster_log_shipped_total", dimensions: [("index", index)], factory: factory).increment(by: count)
    }

    func clusterLogBacklog(index: String, bytes: Int) {
        Gauge(label: "rerank_cluster_log_backlog_bytes", dimensions: [("index", index)], factory: factory).record(bytes)
    }

    func clusterLogBulkFailed(index: String) {
        Counter(label: "rerank_cluster_log_bulk_failures_total", dimensions: [("index", index)], factory: factory).increment()
    }

    func clusterLogRejected(index: String, _ count: Int) {
        guard count > 0 else { return }
        Counter(label: "rerank_cluster_log_rejected_total", dimensions: [("index", index)], factory: factory).increment(by: count)
    }

    /// Records of other sidecars folded into the online state from the cluster's `index`.
    func sharedRecords(index: String, _ count: Int) {
        guard count > 0 else { return }
        Counter(label: "rerank_shared_state_records_total", dimensions: [("index", index)], factory: factory).increment(by: count)
    }

    /// Seconds between the newest record of a poll being written by its sidecar and being applied here.
    func sharedLag(seconds: Double) {
        Gauge(label: "rerank_shared_state_lag_seconds", factory: factory).record(seconds)
    }

    /// Record numbers the tail stopped waiting for (refused by the cluster, or dated before the catch-up).
    func sharedSkipped(index: String, _ count: Int) {
        guard count > 0 else { return }
        Counter(label: "rerank_shared_state_skipped_total", dimensions: [("index", index)], factory: factory).increment(by: count)
    }

    /// A catch-up or poll of the cluster that failed (it is tried again).
    func sharedFailure(phase: String) {
        Counter(label: "rerank_shared_state_failures_total", dimensions: [("phase", phase)], factory: factory).increment()
    }

    /// Whether the start's catch-up from the cluster is done (1) or still to come (0).
    func sharedCaughtUp(_ done: Bool) {
        Gauge(label: "rerank_shared_state_caught_up", factory: factory).record(done ? 1 : 0)
    }

    /// Each table of the online statistics (items, users, sessions, ...): entries, configured capacity, entries
    /// evicted since the statistics were loaded, and bytes allocated; and served searches dropped unapplied.
    /// An `indices` entry's model statistics are published as `rerank_index_...` with its name.
    func onlineState(_ statistics: (tables: [TableStatistics], droppedSearches: Int), indexConfig: String? = nil) {
        stateTables(statistics.tables, indexConfig: indexConfig)
        let (prefix, entry) = Self.scope(indexConfig)
        Gauge(label: "\(prefix)online_state_dropped_searches", dimensions: entry, factory: factory).record(statistics.droppedSearches)
    }

    /// Tables of the online state or of the filters' event history (`filter_users`, `filter_sessions`): entries,
    /// configured capacity, entries evicted, and bytes.
    func stateTables(_ tables: [TableStatistics], indexConfig: String? = nil) {
        let (prefix, entry) = Self.scope(indexConfig)
        for table in tables {
            let dimensions = entry + [("table", table.name)]
            Gauge(label: "\(prefix)online_state_entries", dimensions: dimensions, factory: factory).record(table.entries)
            Gauge(label: "\(prefix)online_state_capacity", dimensions: dimensions, factory: factory).record(table.capacity)
            Gauge(label: "\(prefix)online_state_evicted_entries", dimensions: dimensions, factory: factory).record(table.evictions)
            Gauge(label: "\(prefix)online_state_bytes", dimensions: dimensions, factory: factory).record(table.bytes)
        }
    }

    /// Hits the model scored, and those without any of the catalog fields it reads.
    func attributeCoverage(_ coverage: (candidates: Int, withoutAttributes: Int), indexConfig: String? = nil) {
        let (prefix, entry) = Self.scope(indexConfig)
        Gauge(label: "\(prefix)model_hits_scored", dimensions: entry, factory: factory).record(coverage.candidates)
        Gauge(label: "\(prefix)model_hits_without_catalog_fields", dimensions: entry, factory: factory)
            .record(coverage.withoutAttributes)
    }

    /// Metric names of their own for an `indices` entry's model (one name, one set of labels), with its name.
    private static func scope(_ indexConfig: String?) -> (prefix: String, dimensions: [(String, String)]) {
        guard let indexConfig else { return ("rerank_", []) }
        return ("rerank_index_", [("index_config", indexConfig)])
    }

    /// The Prometheus text exposition of every metric, with the process's memory as of now.
    func exposition() -> [UInt8] {
        let memory = ProcessMemory.current()
        if let bytes = memory.residentBytes { Gauge(label: "process_resident_memory_bytes", factory: factory).record(bytes) }
        if let bytes = memory.heapInUseBytes { Gauge(label: "rerank_heap_in_use_bytes", factory: factory).record(bytes) }
        if let bytes = memory.heapFreeBytes { Gauge(label: "rerank_heap_free_bytes", factory: factory).record(bytes) }
        return registry.emitToBuffer()
    }

    /// A bounded label from a reason: its words before any detail, e.g. `unparseable response`.
    static func reasonLabel(_ reason: String) -> String {
        asciiReasonLabel(reason)
            ?? String(reason.prefix { $0 != ":" && !$0.isNumber }).trimmingCharacters(in: .whitespaces)
    }

    /// ``reasonLabel(_:)`` of an ASCII reason, byte by byte (every skipped search counts one); nil when the reason
    /// is not ASCII. In ASCII the numbers are the digits, and `.whitespaces` are space and tab.
    static func asciiReasonLabel(_ reason: String) -> String? {
        var reason = reason
        return reason.withUTF8 { bytes -> String? in
            // Wholly ASCII: a combining mark after a colon would make them one `Character`, not a colon.
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            var end = 0
            while end < bytes.count, bytes[end] != UInt8(ascii: ":"), !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) {
                end += 1
            }
            func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            var start = 0
            while start < end, isBlank(bytes[start]) { start += 1 }
            while end > start, isBlank(bytes[end - 1]) { end -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }
}

extension Timer {
    fileprivate func record(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
