import Features
import Foundation
import Logging
import Personalization
import Ranking
import RerankCore
import ServiceLifecycle

/// Serves the model file given with `--model` (or an `indices` entry's `model`), and swaps in a new one when the
/// file changes.
///
/// A new file is loaded and validated first; only a valid model replaces the served one, atomically, so
/// in-flight searches finish on the model they started with. An invalid file is refused with a log line and
/// `rerank_model_reloads_total{result="failed"}`, and the old model keeps serving.
final class ModelWatcher: Service, Sendable {
    let path: String
    let live: LiveFeatureState
    /// The `indices` entry the model serves; nil for the `rerank` section's. Its metrics carry the entry's name.
    let indexConfig: String?
    /// Serves a loaded model.
    private let install: @Sendable (ModelRanker) -> Void
    private let metrics: ProxyMetrics
    private let logger: Logger
    private let interval: Duration
    private let loadedStamp: Mutex<FileStamp?>
    private let warnedOfMissingAttributes = Atomic<Bool>(false)
    /// The hit fields the served model reads catalog attributes from.
    private let fieldNames: [String]
    /// The configuration's declared features, which every model must declare (nil: not configured).
    private let declared: DeclaredFeatures?

    /// Loads the model at `path` (throwing when it cannot be served) and installs it.
    ///
    /// - Parameter install: serves a loaded model, e.g. as the ranker of the store's served reranker.
    init(
        path: String, indexConfig: String? = nil, metrics: ProxyMetrics, logger: Logger, interval: Duration = .seconds(2),
        limits: FeatureReplay.Limits = FeatureReplay.Limits(), declared: DeclaredFeatures? = nil,
        install: @escaping @Sendable (ModelRanker) -> Void
    ) throws {
        self.path = path
        self.indexConfig = indexConfig
        self.install = install
        self.metrics = metrics
        self.logger = logger
        self.interval = interval
        let stamp = FileStamp(path)
        let model = try PersonalizationModel(contentsOf: path)
        try model.check(declared: declared, path: path)
        self.declared = declared
        live = LiveFeatureState(model.extras.state, limits: limits)
        fieldNames = model.extras.attributeFields.all
        loadedStamp = Mutex(stamp)
        serve(model, "model loaded")
    }

    /// Serves `model` over the live state, counts the load and logs it: its file, version, `indices` entry and
    /// how its trees are walked.
    private func serve(_ model: PersonalizationModel, _ message: Logger.Message) {
        let ranker = ModelRanker(model: model, state: live)
        install(ranker)
        metrics.modelReload(succeeded: true, indexConfig: indexConfig)
        logger.notice(
            message,
            metadata: [
                "path": "\(path)", "version": "\(model.version)", "index_config": "\(indexConfig ?? "-")",
                "walk": "\(ranker.walk)",
            ])
    }

    func run() async throws {
        // The sleep ends at shutdown too, so a long check interval does not hold the shutdown up.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                await OffPoolQueue.fileLoads.run { self.reloadIfChanged() }
                self.metrics.onlineState(self.live.statistics, indexConfig: self.indexConfig)
                self.checkAttributeCoverage()
            }
        }
    }

    /// Publishes how many hits came without the catalog fields the model reads, and says so once, as an error,
    /// when the first thousand hits all did: the index names those fields otherwise than the model expects.
    func checkAttributeCoverage() {
        let coverage = live.attributeCoverage
        metrics.attributeCoverage(coverage, indexConfig: indexConfig)
        guard coverage.candidates >= 1000, coverage.withoutAttributes == coverage.candidates,
            !warnedOfMissingAttributes.exchange(true, ordering: .relaxed)
        else { return }
        let fields = fieldNames.joined(separator: ", ")
        let scored = indexConfig.map { " by the model of indices entry \($0)" } ?? ""
        logger.error("none of the first \(coverage.candidates) hits scored\(scored) had any of the fields \(fields) in _source; the model reads category, brand and price from them, so those features fall back to what the statistics remember (zero for new items). Index the catalog fields under these names, or train with an items file that uses the index's names")
    }

    /// Loads the file again when its size or modification time changed since the last load.
    func reloadIfChanged() {
        let stamp = FileStamp(path)
        guard stamp != loadedStamp.withLock({ $0 }) else { return }
        loadedStamp.withLock { $0 = stamp }
        guard stamp != nil else {
            logger.error("model file \(path) disappeared; the loaded model keeps serving")
            metrics.modelReload(succeeded: false, indexConfig: indexConfig)
            return
        }
        _ = try? reload()
    }

    /// Loads and validates the file now and swaps it in (`POST /_rerank/model/reload`).
    ///
    /// - Returns: the version now serving.
    /// - Throws: ``RerankError/modelRefused(_:)`` when the file is missing or invalid; the loaded model keeps serving.
    @discardableResult
    func reload() throws(RerankError) -> String {
        do {
            loadedStamp.withLock { $0 = FileStamp(path) }
            let model = try PersonalizationModel(contentsOf: path)
            try model.check(declared: declared, path: path)
            // A model declaring other features needs their statistics: its own replace the live ones.
            if model.extras.state.latest > live.latest || model.extras.state.declared != live.declared {
                live.replace(with: model.extras.state)
            }
            serve(model, "model reloaded")
            return model.version
        } catch {
            metrics.modelReload(succeeded: false, indexConfig: indexConfig)
            logger.error("model file \(path) refused; the loaded model keeps serving: \(error)")
            throw .modelRefused(String(describing: error))
        }
    }
}

/// A file's size and modification time, to notice changes.
struct FileStamp: Equatable, Sendable {
    let size: Int
    let modified: Date

    init?(_ path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date
        else { return nil }
        self.size = size
        self.modified = modified
    }
}

import Synchronization
