import Experiments
import Personalization
import Ranking
import RerankConfiguration

/// Configured experiments with the variant models they name, loaded and validated.
struct LoadedExperiments: Sendable {
    var experiments: [Experiment] = []
    /// Variant model rankers by file path.
    var models: [String: ModelRanker] = [:]

    init() {}

    /// Loads every variant model of `experiments`; they read the served model's live statistics.
    ///
    /// - Throws: ``ConfigurationError`` naming the variant's `model` key when a file cannot be served.
    init(_ experiments: [Experiment], live: LiveFeatureState?) throws(ConfigurationError) {
        self.experiments = experiments
        for (index, experiment) in experiments.enumerated() {
            for (variantIndex, variant) in experiment.variants.enumerated() {
                guard case .on(let settings) = variant.treatment, let path = settings.model, models[path] == nil else { continue }
                let key = "experiments[\(index)].variants[\(variantIndex)].model"
                guard let live else {
                    throw ConfigurationError.missingKey("configuration key '\(key)' needs rerank.model (--model): a variant's model reads the served model's live statistics")
                }
                do {
                    let model = try PersonalizationModel(contentsOf: path)
                    // The variant reads the served model's statistics, which keep the served model's declared values.
                    try model.check(declared: live.declared, path: path)
                    models[path] = ModelRanker(model: model, state: live)
                } catch {
                    throw ConfigurationError.unservableModel("configuration key '\(key)': cannot serve model '\(path)': \(error)")
                }
            }
        }
    }
}

/// How a search is served: reranked by one reranker (or two interleaved), or passed through in the engine's order.
enum ServingChoice: Sendable {
    case rerank(ServingReranker)
    /// The variant turns reranking off.
    case off
}

/// Every experiment arm's reranker, built on the served reranker, and the assigner that picks between them.
struct ServingExperiments: Sendable {
    let assigner: ExperimentAssigner
    /// Arms by experiment name, one per variant; nil where the variant turns reranking off.
    private let arms: [String: [ServingReranker?]]
    /// Interleaving experiments' control and treatment rerankers, by experiment name.
    private let interleavings: [String: ServingReranker]
    /// Source fields any arm reads.
    let fields: [String]

    /// The engine's order: no ranker, no rules.
    static let engineOrder = Reranker(ranker: nil, rules: [], defaultWeight: 0)

    init(_ loaded: LoadedExperiments, base: Reranker) {
        assigner = ExperimentAssigner(loaded.experiments)
        var arms: [String: [ServingReranker?]] = [:]
        var interleavings: [String: ServingReranker] = [:]
        func reranker(_ variant: Variant) -> Reranker? {
            guard case .on(let settings) = variant.treatment else { return nil }
            return Reranker(
                ranker: settings.model.flatMap { path in loaded.models[path].map { $0 as any Ranker } } ?? base.ranker, rules: settings.rules ?? base.rules,
                defaultWeight: settings.weight ?? base.configuredWeight, exploration: settings.exploration ?? base.exploration)
        }
        for experiment in loaded.experiments {
            arms[experiment.name] = experiment.variants.map { reranker($0).map { ServingReranker($0) } }
            if experiment.kind == .interleaving {
                interleavings[experiment.name] = ServingReranker(
                    reranker(experiment.variants[0]) ?? Self.engineOrder, interleaved: reranker(experiment.variants[1]) ?? Self.engineOrder)
            }
        }
        self.arms = arms
        self.interleavings = interleavings
        var fields: [String] = []
        for serving in arms.values.flatMap({ $0 }).compactMap({ $0 }) + Array(interleavings.values) {
            for field in serving.fields where !fields.contains(field) { fields.append(field) }
        }
        self.fields = fields
    }

    /// The arm serving `assignment`.
    func choice(for assignment: Assignment) -> ServingChoice? {
        guard let index = assignment.variantIndex else {
            return interleavings[assignment.experiment.name].map(ServingChoice.rerank)
        }
        return choice(assignment.experiment, variant: index)
    }

    /// The control arm of `experiment`, which serves the searches outside every experiment.
    func control(of experiment: Experiment) -> ServingChoice? { choice(experiment, variant: 0) }

    private func choice(_ experiment: Experiment, variant index: Int) -> ServingChoice? {
        guard let variants = arms[experiment.name], variants.indices.contains(index) else { return nil }
        return variants[index].map(ServingChoice.rerank) ?? .off
    }
}
