import ClusterLogs
import EventLog
import Foundation
import Logging
import RerankJSON
import ServiceLifecycle
import Synchronization

/// Writes impressions or events to one of the cluster's UBI indices through a local spool, so that an
/// acknowledged record is never lost while the cluster is down. Each record is stamped with this process and its
/// number (``SidecarStamp``) so that the other sidecars can tail the index for it.
///
/// `append` returns once the records are fsync'd in the spool (an ``NDJSONLogWriter`` with prefix
/// `spool_<index>` in the spool directory). A background task ships the spool to the cluster with `_bulk`, in
/// order, in batches of up to `batchRecords` records or `batchBytes` bytes, retrying with backoff while the
/// cluster is unreachable or answers 429 or 5xx (see ``SpoolShipper``). A record the cluster refuses for good
/// (a mapping conflict, say) is logged, counted and moved to `rejected_<index>-*.ndjson` in the spool
/// directory. A cursor file, fsync'd after each batch, says how far the spool has been shipped, so a restart
/// resumes there; document ids are deterministic (``UBIIndex``), so a batch sent again after a crash is not
/// stored twice. Wholly shipped spool files are deleted.
///
/// At shutdown the sink stops accepting records and ships what it can: until the spool is empty, the cluster
/// fails once, or `drainTimeout` has passed. The rest stays spooled for the next start. One sink per index and spool directory: sidecars must not share a spool directory.
///
/// ```swift
/// let events = try ClusterLogSink(
///     index: .events, spoolDirectory: "/var/lib/rerank/spool", cluster: upstream, metrics: metrics, logger: logger)
/// try await events.append([click.json])  // durable in the spool now, in ubi_events soon
/// ```
final class ClusterLogSink: RecordSink, Service, Sendable {
    /// Batching, retry and shutdown settings.
    ///
    /// - `batchRecords` (default 1,000) and `batchBytes` (default 5 MiB): the most one `_bulk` request carries.
    /// - `initialBackoff` (default 100 ms), doubling up to `maxBackoff` (default 30 s): waits between retries.
    /// - `drainTimeout` (default 5 s): the most time shutdown spends shipping.
    /// - `maxFileBytes`, `maxFileAge`: rotation of the spool files, as for the local log files.
    struct Settings: Sendable {
        var batchRecords = 1_000
        var batchBytes = 5 << 20
        var initialBackoff = Duration.milliseconds(100)
        var maxBackoff = Duration.seconds(30)
        var drainTimeout = Duration.seconds(5)
        var maxFileBytes = NDJSONLogWriter.Configuration.defaultMaxFileBytes
        var maxFileAge = NDJSONLogWriter.Configuration.defaultMaxFileAge
    }

    let index: UBIIndex
    let spool: Spool
    private let writer: NDJSONLogWriter
    private let rejected: NDJSONLogWriter
    private let cluster: UpstreamClient
    private let stamp: SidecarStamp
    private let settings: Settings
    private let metrics: ProxyMetrics
    private let logger: Logger
    private let wake = WakeSignal()
    private let stopping = Atomic<Bool>(false)

    /// Makes the sink, creating the spool directory if it is missing; shipping starts when the service runs.
    ///
    /// - Parameters:
    ///   - index: ``UBIIndex/queries`` or ``UBIIndex/events``.
    ///   - spoolDirectory: where records wait for the cluster (`log.spool_dir`).
    ///   - cluster: the client to the cluster, shared with the proxy.
    ///   - stamp: this process's stamp for this index's records.
    /// - Throws: ``EventLogError`` when the spool directory cannot be created.
    init(
        index: UBIIndex, spoolDirectory: String, cluster: UpstreamClient, stamp: SidecarStamp, settings: Settings = Settings(),
        metrics: ProxyMetrics, logger: Logger
    ) throws(EventLogError) {
        let prefix = "spool_\(index.name)"
        writer = try NDJSONLogWriter(configuration: .init(
            directory: spoolDirectory, prefix: prefix, maxFileBytes: settings.maxFileBytes, maxFileAge: settings.maxFileAge
        ))
        rejected = try NDJSONLogWriter(configuration: .init(directory: spoolDirectory, prefix: "rejected_\(index.name)"))
        spool = Spool(directory: spoolDirectory, prefix: prefix)
        self.index = index
        self.cluster = cluster
        self.stamp = stamp
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
    }

    /// Spools the records, stamped; returns once they are fsync'd, and the shipper sends them on.
    ///
    /// - Throws: ``EventLogError`` when the spool cannot be written, or once the sink is shutting down.
    func append(_ records: [JSONObject]) async throws {
        var stamped = records
        stamp.stamp(&stamped, at: Date())
        try await writer.append(stamped)
        wake.wake()
    }

    /// Ships until shutdown, then stops accepting records and ships one last time, for at most `drainTimeout`.
    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.ship() }
            group.addTask {
                try? await gracefulShutdown()
                await self.writer.close()
                self.stopping.store(true, ordering: .releasing)
                self.wake.wake()
                try? await Task.sleep(for: self.settings.drainTimeout)
            }
            // Either the shipper caught up after the writer closed, or the drain time ran out.
            await group.next()
            group.cancelAll()
        }
        await rejected.close()
    }

    private func ship() async {
        var shipper = SpoolShipper(
            index: index, spool: spool, writer: writer, rejected: rejected, cluster: cluster, settings: settings,
            metrics: metrics, logger: logger, stopping: { self.stopping.load(ordering: .acquiring) }
        )
        let backlog = await shipper.backlogBytes()
        metrics.clusterLogBacklog(index: index.name, bytes: backlog)
        if backlog > 0 {
            logger.notice("shipping \(backlog) spooled bytes of \(index.name) records left from the last run")
        }
        var delay = settings.initialBackoff
        while !Task.isCancelled {
            do {
                // Read before the pass: a pass begun after the writer closed sees its last file as finished and
                // removes it once shipped; one begun before may not, and then another pass is due.
                let wasStopping = stopping.load(ordering: .acquiring)
                if try await shipper.shipNext() {
                    delay = settings.initialBackoff
                    continue
                }
                if wasStopping { break }
                if stopping.load(ordering: .acquiring) { continue }
                await wake.wait()
            } catch is CancellationError {
                break
            } catch {
                logger.error("\(error)")
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, settings.maxBackoff)
            }
        }
        let left = await shipper.backlogBytes()
        metrics.clusterLogBacklog(index: index.name, bytes: left)
        if left > 0 {
            logger.notice("\(left) bytes of \(index.name) records stay in the spool \(spool.directory); they are shipped at the next start")
        }
    }
}
