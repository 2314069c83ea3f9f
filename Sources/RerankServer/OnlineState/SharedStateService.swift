import ClusterLogs
import EventLog
import Foundation
import Logging
import Personalization
import RerankJSON
import ServiceLifecycle
import Synchronization

/// Keeps this sidecar's online state in step with the other sidecars' through the cluster (`log.cluster` with
/// `log.share_state`).
///
/// At start it catches up: it reads from the UBI indices every search dated after the models' snapshots (and
/// every event the history filters may need), from all sidecars, its own earlier runs included, and applies
/// them in time order; it retries until the cluster answers. Then, every `interval`, it asks each index for the
/// records other running sidecars wrote since (at once again while a poll leaves records waiting; ``ClusterTail``, by writer and number, not by time, so records that
/// reach the cluster late are not missed) and applies them as if they had been served or posted here. Its own
/// records are never read back: they were applied when they happened.
///
/// The state is eventually consistent: a record reaches the other sidecars once its writer has shipped it
/// (normally at once), the cluster has refreshed (1 s by default) and their next poll has run.
/// `rerank_shared_state_lag_seconds` shows the delay of the newest record of the last poll.
final class SharedStateService: Service, Sendable {
    private let cluster: any ClusterTransport
    private let instance: String
    /// The statistics the records go to, shared out as the log directory's are.
    private let states: LiveStates
    /// The service that folds each statistics' served searches in, by statistics.
    private let online: [ObjectIdentifier: OnlineStateService]
    private let history: FilterHistory?
    /// How far back the history filters look (seconds); nil when none reads history.
    private let historyHorizon: Double?
    private let applyEvents: @Sendable ([UBIEvent]) -> Void
    private let interval: Duration
    private let maxClockSkew: Double
    private let metrics: ProxyMetrics
    private let logger: Logger
    private let caughtUp = Atomic<Bool>(false)

    init(
        cluster: any ClusterTransport, instance: String, states: LiveStates, online: [OnlineStateService],
        history: FilterHistory?, historyHorizon: Double?, applyEvents: @escaping @Sendable ([UBIEvent]) -> Void,
        interval: Duration, maxClockSkew: Double, metrics: ProxyMetrics, logger: Logger
    ) {
        self.cluster = cluster
        self.instance = instance
        self.states = states
        self.online = Dictionary(online.map { (ObjectIdentifier($0.live), $0) }, uniquingKeysWith: { first, _ in first })
        self.history = history
        self.historyHorizon = historyHorizon
        self.applyEvents = applyEvents
        self.interval = interval
        self.maxClockSkew = maxClockSkew
        self.metrics = metrics
        self.logger = logger
    }

    /// Whether the start's catch-up is done (`/_rerank/ready` waits for it).
    var isCaughtUp: Bool { caughtUp.load(ordering: .acquiring) }

    func run() async throws {
        metrics.sharedCaughtUp(false)
        await cancelWhenGracefulShutdown {
            guard var tails = await self.catchUpUntilDone() else { return }
            self.caughtUp.store(true, ordering: .releasing)
            self.metrics.sharedCaughtUp(true)
            while !Task.isCancelled {
                if !tails.contains(where: \.isBehind) {
                    do {
                        try await Task.sleep(for: self.interval)
                    } catch {
                        return
                    }
                }
                for index in tails.indices { await self.poll(&tails[index]) }
            }
        }
    }

    /// The catch-up, tried again every few seconds until it succeeds; nil when cancelled first.
    private func catchUpUntilDone() async -> [ClusterTail]? {
        var delay = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                return try await catchUp()
            } catch {
                metrics.sharedFailure(phase: "catch_up")
                logger.warning("online state not caught up from the cluster yet (\(error)); trying again in \(delay)")
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
        return nil
    }

    /// Applies what the cluster holds beyond the models' snapshots; returns the tails that go on from there.
    private func catchUp() async throws(ClusterReadError) -> [ClusterTail] {
        let now = Date()
        let since = Date(timeIntervalSince1970: states.earliestLatest ?? now.timeIntervalSince1970)
        let historySince = historyHorizon.map { now.addingTimeInterval(-min($0, now.timeIntervalSince1970)) }
        let eventsSince = historySince.map { min($0, since) } ?? since
        let reader = ClusterLogReader(cluster: cluster)
        let log = try await reader.read(
            queriesSince: states.isEmpty ? now : since, eventsSince: eventsSince, until: now.addingTimeInterval(maxClockSkew))
        let notAfter = now.timeIntervalSince1970 + maxClockSkew
        let (states, history, logger) = (self.states, self.history, self.logger)
        let historyEvents = await OffPoolQueue.ingestion.run { () -> Int in
            states.catchUp(with: log, notAfter: notAfter, source: "the cluster", logger: logger)
            return history?.catchUp(with: log, notAfter: notAfter) ?? 0
        }
        logger.notice(
            "caught up from the cluster: \(log.queries.count) searches and \(log.events.count) events read, \(historyEvents) events for the history filters; \(log.problems.count) documents skipped")
        var tails: [ClusterTail] = []
        if !states.isEmpty {
            var cursor = TailCursor(own: instance, since: since)
            cursor.start(with: log.queries.compactMap { SidecarStamp.read($0.fields) })
            tails.append(ClusterTail(cluster: cluster, index: ClusterLogReader.queriesIndex, cursor: cursor))
        }
        var cursor = TailCursor(own: instance, since: eventsSince)
        cursor.start(with: log.events.compactMap { SidecarStamp.read($0.fields) })
        tails.append(ClusterTail(cluster: cluster, index: ClusterLogReader.eventsIndex, cursor: cursor))
        return tails
    }

    /// Applies one index's new records; a failed poll is counted and tried again at the next.
    private func poll(_ tail: inout ClusterTail) async {
        let polled: ClusterTail.Poll
        do {
            polled = try await tail.poll(now: Date())
        } catch {
            metrics.sharedFailure(phase: "poll")
            logger.warning("could not read other sidecars' \(tail.index) records: \(error)")
            return
        }
        metrics.sharedSkipped(index: tail.index, polled.givenUp)
        let records = polled.records
        guard !records.isEmpty else { return }
        let newest = records.compactMap(SidecarStamp.loggedAt).max()
        if tail.index == ClusterLogReader.queriesIndex {
            let queries = InteractionLog(queries: records.compactMap { try? UBIQuery(json: $0) })
            for share in states.shares(of: queries) {
                guard let service = online[ObjectIdentifier(share.live)] else { continue }
                for impression in share.log.loggedImpressions() { service.submit(impression) }
            }
        } else {
            let events = records.compactMap { try? UBIEvent(json: $0) }
            let applyEvents = self.applyEvents
            await OffPoolQueue.ingestion.run { applyEvents(events) }
        }
        metrics.sharedRecords(index: tail.index, records.count)
        if let newest { metrics.sharedLag(seconds: max(0, Date().timeIntervalSince1970 - newest)) }
    }
}
