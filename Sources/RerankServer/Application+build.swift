import ClusterLogs
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import EventLog
import Features
import Personalization
import Ranking
import RerankConfiguration
import RerankJSON
import ServiceLifecycle

/// Builds the sidecar application from a configuration value.
///
/// The `rerank serve` command and the tests both come through here; nothing reads argv or the environment.
///
/// ```swift
/// var configuration = ServerConfiguration()
/// configuration.upstream.urls = ["http://127.0.0.1:9200"]
/// let app = try buildApplication(configuration)
/// try await app.runService()
/// ```
/// - Parameters:
///   - configuration: the layered configuration.
///   - now: the clock for local-time context; tests pass a fixed one.
///   - logger: the application's logger.
public func buildApplication(
    _ configuration: RerankConfiguration.ServerConfiguration,
    now: @escaping @Sendable () -> Date = Date.init,
    logger: Logger = Logger(label: "rerank")
) throws -> some ApplicationProtocol {
    let spoolDirectory = try configuration.log.clusterSpoolDirectory()
    let metrics = ProxyMetrics()
    let hasher = UserIDHasher(configuration.log)
    let bodyTimeout = Duration.milliseconds(configuration.limits.requestBodyTimeoutMilliseconds)
    let writers = try configuration.log.directory.map { try LogWriters(configuration.log, directory: $0) }
    let signals: (any Ranker)? = configuration.rerank.signals.isEmpty ? nil : SignalRanker(signals: configuration.rerank.signals)
    let rerankers = RerankerStore(Reranker(configuration.rerank, ranker: signals), indices: configuration.indices.map(IndexArm.init))
    let modelWatcher = try configuration.rerank.model.map { path in
        try servedModel(path, configuration: configuration, metrics: metrics, logger: logger) { model in
            rerankers.replace(Reranker(configuration.rerank, ranker: model))
        }
    }
    let indexWatchers = try configuration.indices.enumerated().map { position, entry in
        try entry.model.map { path in
            try servedModel(path, indexConfig: entry.name, configuration: configuration, metrics: metrics, logger: logger) { model in
                rerankers.replace(index: position, ranker: model)
            }
        }
    }
    // Events of searches ranked by an entry's signals belong to no statistics; only the section's model needs telling.
    let bySignals = configuration.indices.contains { $0.ownsRanker && $0.model == nil }
    let apartSearches = modelWatcher != nil && bySignals ? RecentQueryIDs(capacity: configuration.state.maxSearches) : nil
    let liveStates = LiveStates(
        top: modelWatcher?.live,
        entries: zip(configuration.indices, indexWatchers).compactMap { entry, watcher in watcher.map { (entry.name, $0.live) } },
        apart: Set(configuration.indices.filter(\.ownsRanker).map(\.name)), apartSearches: apartSearches)
    try configuration.checkVariantModels()
    rerankers.replace(experiments: try LoadedExperiments(configuration.experiments, live: modelWatcher?.live))
    let experimentWatcher = configuration.configFile.map { path in
        ExperimentWatcher(
            path: path, rerankers: rerankers, live: modelWatcher?.live, servedModel: configuration.rerank.model,
            metrics: metrics, logger: logger, interval: .milliseconds(configuration.experimentsCheckMilliseconds))
    }
    let heapTrimmer = configuration.limits.heapTrimSeconds > 0
        ? HeapTrimmer(interval: .seconds(configuration.limits.heapTrimSeconds)) : nil
    let filters = FilterSet(configuration.rerank.filters)
    let history = filters.readsHistory ? FilterHistory(limits: configuration.rerank.filterHistory) : nil
    let instance = SidecarStamp.newInstance()
    let sharesState = configuration.log.sharesState && (!liveStates.isEmpty || history != nil)
    if !sharesState, let directory = configuration.log.directory, FileManager.default.fileExists(atPath: directory),
        !liveStates.isEmpty || history != nil
    {
        rebuildOnlineState(liveStates, history: history, from: directory, configuration: configuration, now: now, logger: logger)
    }
    let online = modelWatcher.map { OnlineStateService(live: $0.live) }
    let indexOnline = indexWatchers.map { $0.map { OnlineStateService(live: $0.live) } }
    // Created last: everything above can fail, and the client must not be dropped without a shutdown.
    let upstream = try UpstreamClient(configuration: configuration.upstream, maxResponseBody: configuration.limits.maxResponseBody)
    let clusterSinks = try shuttingDown(upstream, onError: spoolDirectory.map { directory in
        try clusterLogSinks(
            spoolDirectory: directory, log: configuration.log, cluster: upstream, instance: instance, metrics: metrics, logger: logger)
    })
    let applyEvents: @Sendable ([UBIEvent]) -> Void = { events in
        let logged = events.compactMap(LoggedEvent.init(ubi:))
        history?.record(logged)
        liveStates.apply(logged)
    }
    let shared = sharesState ? SharedStateService(
        cluster: upstream, instance: instance, states: liveStates, online: [online].compactMap { $0 } + indexOnline.compactMap { $0 },
        history: history,
        historyHorizon: filters.historyHorizon, applyEvents: applyEvents,
        interval: .milliseconds(configuration.log.sharePollMilliseconds),
        maxClockSkew: Double(configuration.limits.maxClockSkewSeconds), metrics: metrics, logger: logger
    ) : nil
    let querySink = FanOutSink.combining(writers?.queries, clusterSinks?.queries)
    let eventSink = FanOutSink.combining(writers?.events, clusterSinks?.events)
    let impressions = querySink.map {
        ImpressionLog(
            sink: $0, capacity: configuration.log.queueCapacity,
            flushInterval: .milliseconds(configuration.log.flushMilliseconds), metrics: metrics, logger: logger)
    }
    var proxy = ProxyController(
        configuration, upstream: upstream, hasher: hasher, rerankers: rerankers, metrics: metrics, impressions: impressions,
        online: online, filters: filters, history: history, now: now)
    proxy.indices = IndexScopes(configuration, online: online, indexOnline: indexOnline, apartSearches: apartSearches)
    let indexServices: [any Service] = indexWatchers.compactMap { $0 } + indexOnline.compactMap { $0 }
    let router = Router()
    OperationsController(upstream: upstream, metrics: metrics, history: history, shared: shared).register(on: router)
    EventsController(
        sink: eventSink, maxRequestBody: configuration.limits.maxRequestBody, bodyTimeout: bodyTimeout, now: now,
        metrics: metrics, hasher: hasher, maxClockSkew: Double(configuration.limits.maxClockSkewSeconds),
        accepted: applyEvents
    ).register(on: router)
    AdminController(
        token: configuration.admin.token, rerankers: rerankers, modelWatcher: modelWatcher,
        indexWatchers: indexWatchers.compactMap { $0 }, indexConfigs: configuration.indices.map(\.name),
        experimentWatcher: experimentWatcher, impressions: impressions,
        hashesUserIDs: hasher != nil
    ).register(on: router)
    proxy.register(on: router)
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.limits.idleTimeoutSeconds)))),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: nil,
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.limits.maxConnections, logger: logger)
        ),
        // Shutdown runs in reverse: the server stops, the impression queue drains, the writers close, the cluster
        // sinks ship what they can, then the pool closes.
        services: [upstream] + (clusterSinks.map { [$0.queries, $0.events] } ?? []) + (writers.map { [$0] } ?? [])
            + (impressions.map { [$0] } ?? []) + (modelWatcher.map { [$0] } ?? []) + (online.map { [$0] } ?? [])
            + indexServices + (shared.map { [$0] } ?? []) + (experimentWatcher.map { [$0] } ?? []) + (heapTrimmer.map { [$0] } ?? []),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            announceListening(on: port, configuration, instance: instance, rerankers: rerankers, logger: logger)
        },
        logger: logger
    )
}

/// Logs the address the sidecar listens on, its upstream, ranker, experiments and instance (the `rerank_instance`
/// of the records it writes to the cluster).
private func announceListening(
    on port: Int, _ configuration: RerankConfiguration.ServerConfiguration, instance: String, rerankers: RerankerStore,
    logger: Logger
) {
    logger.notice(
        "rerank listening",
        metadata: [
            "address": "http://\(configuration.host):\(port)",
            "upstream": .string(configuration.upstream.urls.joined(separator: ",")),
            "ranker": .string(rerankers.serving.reranker.version),
            "experiments": .string(configuration.experiments.map(\.name).joined(separator: ",")),
            "instance": .string(instance),
            "event_loops": "\(MultiThreadedEventLoopGroup.singleton.makeIterator().reduce(0) { count, _ in count + 1 })",
            "indices": .string(
                zip(configuration.indices, rerankers.snapshot.indices).map { "\($0.name)=\($1.reranker.version)" }.joined(separator: ",")),
        ]
    )
}

/// The watcher of a served model file (`rerank.model`, or an `indices` entry's), loaded now and served by
/// `install`; a file that cannot be served is a configuration error.
private func servedModel(
    _ path: String, indexConfig: String? = nil, configuration: RerankConfiguration.ServerConfiguration,
    metrics: ProxyMetrics, logger: Logger, install: @escaping @Sendable (ModelRanker) -> Void
) throws(ConfigurationError) -> ModelWatcher {
    do {
        return try ModelWatcher(
            path: path, indexConfig: indexConfig, metrics: metrics, logger: logger,
            interval: .milliseconds(configuration.rerank.modelCheckMilliseconds), limits: configuration.state,
            declared: configuration.features, install: install)
    } catch {
        let source = indexConfig.map { "the model of indices entry \($0)" } ?? "--model"
        throw ConfigurationError.unservableModel("cannot serve \(source) \(path): \(error)")
    }
}

/// Folds what the log directory holds beyond the model's snapshot into the live state, and its events into the
/// filters' history; an unreadable log is logged and skipped, the sidecar serves anyway.
private func rebuildOnlineState(
    _ live: LiveStates, history: FilterHistory?, from directory: String,
    configuration: RerankConfiguration.ServerConfiguration, now: () -> Date, logger: Logger
) {
    do {
        let log = try InteractionLogReader().read(directory)
        let notAfter = now().timeIntervalSince1970 + Double(configuration.limits.maxClockSkewSeconds)
        live.catchUp(with: log, notAfter: notAfter, source: directory, logger: logger)
        if let history {
            logger.notice("filter history rebuilt from \(directory): \(history.catchUp(with: log, notAfter: notAfter)) events")
        }
    } catch {
        logger.warning("online state not rebuilt from \(directory): \(error)")
    }
}

/// The cluster sinks of `ubi_queries` and `ubi_events`, spooling in `spoolDirectory`.
private func clusterLogSinks(
    spoolDirectory: String, log: RerankConfiguration.ServerConfiguration.Log, cluster: UpstreamClient, instance: String,
    metrics: ProxyMetrics, logger: Logger
) throws -> (queries: ClusterLogSink, events: ClusterLogSink) {
    var settings = ClusterLogSink.Settings()
    settings.maxFileBytes = log.maxFileBytes
    settings.maxFileAge = Double(log.maxFileAgeSeconds)
    func sink(_ index: UBIIndex) throws -> ClusterLogSink {
        try ClusterLogSink(
            index: index, spoolDirectory: spoolDirectory, cluster: cluster, stamp: SidecarStamp(instance: instance),
            settings: settings, metrics: metrics, logger: logger)
    }
    return (queries: try sink(.queries), events: try sink(.events))
}

extension Reranker {
    /// `ranker` under the configured rules, default weight and exploration.
    fileprivate init(_ rerank: RerankConfiguration.ServerConfiguration.Rerank, ranker: (any Ranker)?) {
        self.init(ranker: ranker, rules: rerank.rules, defaultWeight: rerank.weight, exploration: rerank.exploration)
    }
}

extension IndexArm {
    /// An `indices` entry's overrides; its own model is installed when loaded.
    fileprivate init(_ entry: RerankConfiguration.ServerConfiguration.IndexOverride) {
        let signals = entry.model == nil ? entry.signals ?? [] : []
        self.init(
            ranker: signals.isEmpty ? nil : SignalRanker(signals: signals), ownsRanker: entry.ownsRanker, rules: entry.rules,
            weight: entry.weight, exploration: entry.exploration)
    }
}

extension IndexScopes {
    /// The `indices` entries as `configuration` sets them up; `indexOnline` holds the online state service of each
    /// entry with a model of its own.
    fileprivate init(
        _ configuration: RerankConfiguration.ServerConfiguration, online: OnlineStateService?, indexOnline: [OnlineStateService?],
        apartSearches: RecentQueryIDs?
    ) {
        let scopes = configuration.indices.enumerated().map { position, entry in
            let settings = configuration.rerank(for: entry)
            let bySignals = entry.ownsRanker && entry.model == nil
            return IndexScope(
                name: entry.name, position: position,
                planner: SearchPlanner(window: settings.window, maxWindow: settings.maxWindow),
                rerankingEnabled: settings.enabled,
                deadline: RankingDeadline(budget: .microseconds(Int64(settings.budgetMilliseconds * 1000))),
                online: entry.model != nil ? indexOnline[position] : entry.ownsRanker ? nil : online,
                apartSearches: bySignals ? apartSearches : nil)
        }
        self.init(entries: configuration.indices, scopes: scopes)
    }
}

extension ProxyController {
    /// The search path as `configuration` sets it up.
    fileprivate init(
        _ configuration: RerankConfiguration.ServerConfiguration, upstream: UpstreamClient, hasher: UserIDHasher?,
        rerankers: RerankerStore, metrics: ProxyMetrics, impressions: ImpressionLog?, online: OnlineStateService?,
        filters: FilterSet, history: FilterHistory?, now: @escaping @Sendable () -> Date
    ) {
        self.init(
            upstream: upstream,
            planner: SearchPlanner(window: configuration.rerank.window, maxWindow: configuration.rerank.maxWindow),
            rerankingEnabled: configuration.rerank.enabled,
            contexts: ContextBuilder(defaultTimeZone: configuration.rerank.defaultTimeZone, now: now, hasher: hasher),
            rerankers: rerankers,
            deadline: RankingDeadline(budget: .microseconds(Int64(configuration.rerank.budgetMilliseconds * 1000))),
            policy: PassthroughPolicy(
                allowWrites: configuration.passthrough.allowWrites,
                readEndpoints: configuration.passthrough.readEndpoints
            ),
            maxRequestBody: configuration.limits.maxRequestBody,
            bodyTimeout: .milliseconds(configuration.limits.requestBodyTimeoutMilliseconds),
            metrics: metrics,
            impressions: impressions,
            online: online,
            filters: filters,
            history: history,
            now: now
        )
    }

    /// Sends `POST /_rerank/rank` and every other path, any method, through ``handle(_:context:)``: rank
    /// requests, searches, and passthrough by policy. (The rank path is named: the router does not fall back from
    /// the other `/_rerank/` routes to the wildcard.)
    fileprivate func register(on router: Router<some RequestContext>) {
        router.post("/_rerank/rank") { request, context in await handle(request, context: context) }
        let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options]
        for method in methods {
            router.on("/", method: method) { request, context in await handle(request, context: context) }
            router.on("**", method: method) { request, context in await handle(request, context: context) }
        }
    }
}

/// `value`, or, when producing it threw, the upstream client shut down before the error goes on.
private func shuttingDown<Value>(_ upstream: UpstreamClient, onError value: @autoclosure () throws -> Value) throws -> Value {
    do {
        return try value()
    } catch {
        try? upstream.http.syncShutdown()
        throw error
    }
}
