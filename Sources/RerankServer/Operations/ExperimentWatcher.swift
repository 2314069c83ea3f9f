import Logging
import Personalization
import RerankConfiguration
import RerankCore
import ServiceLifecycle
import Synchronization

/// Reloads the experiments when the config file changes, without a restart.
///
/// The file is checked every `experiments_check_ms` (size and modification time). A changed file is read
/// whole and validated; only its `experiments` are applied, atomically, so each search runs on the
/// experiments it started with. A file that does not load (bad JSON, an unknown key, shares that do not sum
/// to 1, an unusable variant model) is refused with a log line naming the key and
/// `rerank_experiment_reloads_total{result="failed"}`, and the running experiments go on.
final class ExperimentWatcher: Service, Sendable {
    let path: String
    private let rerankers: RerankerStore
    /// The served model's live statistics, which variant models read; nil without `rerank.model`.
    private let live: LiveFeatureState?
    private let servedModel: String?
    private let metrics: ProxyMetrics
    private let logger: Logger
    private let interval: Duration
    private let loadedStamp: Mutex<FileStamp?>

    init(
        path: String, rerankers: RerankerStore, live: LiveFeatureState?, servedModel: String?, metrics: ProxyMetrics,
        logger: Logger, interval: Duration
    ) {
        self.path = path
        self.rerankers = rerankers
        self.live = live
        self.servedModel = servedModel
        self.metrics = metrics
        self.logger = logger
        self.interval = interval
        loadedStamp = Mutex(FileStamp(path))
    }

    func run() async throws {
        // The sleep ends at shutdown and on cancellation, so neither waits for the interval nor spins.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                await OffPoolQueue.fileLoads.run { self.reloadIfChanged() }
            }
        }
    }

    /// Applies the file's experiments when its size or modification time changed since the last look.
    func reloadIfChanged() {
        let stamp = FileStamp(path)
        guard stamp != loadedStamp.withLock({ $0 }) else { return }
        _ = try? reload()
    }

    /// Reads the file now and applies its experiments (`POST /_rerank/experiments/reload`).
    ///
    /// - Returns: the names of the experiments now loaded.
    /// - Throws: ``RerankError/configRefused(_:)`` when the file does not load; the running experiments go on.
    @discardableResult
    func reload() throws(RerankError) -> [String] {
        loadedStamp.withLock { $0 = FileStamp(path) }
        do {
            var configuration = ServerConfiguration()
            try configuration.apply(configFile: path)
            configuration.rerank.model = servedModel
            try configuration.checkVariantModels()
            rerankers.replace(experiments: try LoadedExperiments(configuration.experiments, live: live))
            metrics.experimentsReload(succeeded: true)
            let names = configuration.experiments.map(\.name)
            logger.notice("experiments reloaded", metadata: ["path": "\(path)", "experiments": "\(names)"])
            return names
        } catch {
            metrics.experimentsReload(succeeded: false)
            logger.error("config file \(path) refused; the running experiments go on: \(error)")
            throw .configRefused(String(describing: error))
        }
    }
}
