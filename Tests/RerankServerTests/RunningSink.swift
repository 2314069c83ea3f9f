import ClusterLogs
import Logging
import RerankConfiguration
import ServiceLifecycle

@testable import RerankServer

/// A cluster sink for `ubi_events`, running in a service group with its own client, as the application runs it.
struct RunningSink {
    /// Quick retries, so a test sees the cluster come back within a fraction of a second.
    static var settings: ClusterLogSink.Settings {
        var settings = ClusterLogSink.Settings()
        settings.initialBackoff = .milliseconds(20)
        settings.maxBackoff = .milliseconds(200)
        // The drain ends once the spool is empty or the cluster fails; its bound only has to outlast a loaded CI
        // machine.
        settings.drainTimeout = .seconds(30)
        return settings
    }

    let sink: ClusterLogSink
    let metrics: ProxyMetrics
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    static func start(url: String, spool: String, settings: ClusterLogSink.Settings = Self.settings) async throws -> RunningSink {
        var upstream = ServerConfiguration.Upstream()
        upstream.urls = [url]
        upstream.connectTimeoutMilliseconds = 500
        upstream.timeoutMilliseconds = 5_000
        let client = try UpstreamClient(configuration: upstream, maxResponseBody: 1 << 20)
        let metrics = ProxyMetrics()
        var logger = Logger(label: "cluster-log-test")
        logger.logLevel = .warning
        let sink = try ClusterLogSink(index: .events, spoolDirectory: spool, cluster: client, stamp: SidecarStamp(instance: "test"), settings: settings, metrics: metrics, logger: logger)
        let group = ServiceGroup(services: [client, sink], logger: logger)
        let task = Task { try await group.run() }
        return RunningSink(sink: sink, metrics: metrics, group: group, task: task)
    }

    /// Shuts the sink down gracefully (a last bounded ship), then its client.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// The value of a metric of the sink's index, 0 when it was never set.
    func metric(_ name: String) -> Int {
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        let prefix = #"\#(name){index="ubi_events"} "#
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return 0 }
        return Int(Double(line.dropFirst(prefix.count)) ?? 0)
    }
}
