import Experiments
import Ranking
import RerankJSON
import Synchronization

/// A reranker with what serving it needs, built once when it is installed.
struct ServingReranker: Sendable {
    let reranker: Reranker
    /// The treatment's reranker when searches are interleaved (team draft); `reranker` is then the control's.
    let interleaved: Reranker?
    /// Source fields the rankers and rules read.
    let fields: [String]
    /// Reads those fields from each hit in one pass.
    let selector: FieldSelector

    init(_ reranker: Reranker, interleaved: Reranker? = nil) {
        self.reranker = reranker
        self.interleaved = interleaved
        var fields = reranker.requiredFields
        for field in interleaved?.requiredFields ?? [] where !fields.contains(field) { fields.append(field) }
        self.fields = fields
        selector = FieldSelector(paths: fields)
    }

    /// The `X-Rerank-Model` value: the reranker's version, or `control|treatment` when interleaving.
    var version: String { interleaved.map { "\(reranker.version)|\($0.version)" } ?? reranker.version }
}

/// Holds the rerankers searches use: the served one and every experiment arm built on it. A new model or new
/// experiments are swapped in atomically while in-flight searches finish on what they started with.
final class RerankerStore: Sendable {
    /// What one search reads, in one lock acquisition.
    struct Snapshot: Sendable {
        /// The served reranker, for searches outside every experiment.
        let serving: ServingReranker
        let experiments: ServingExperiments
        /// Source fields any of them reads: the search is planned before its user is assigned.
        let fields: [String]

        /// The `indices` entries' rerankers, in configuration order; searches on their indices take part in no
        /// experiment.
        let indices: [ServingReranker]

        init(base: Reranker, experiments: LoadedExperiments, indices: [IndexArm] = []) {
            serving = ServingReranker(base)
            self.experiments = ServingExperiments(experiments, base: base)
            self.indices = indices.map { ServingReranker($0.reranker(base: base)) }
            var fields = serving.fields
            for field in self.experiments.fields where !fields.contains(field) { fields.append(field) }
            self.fields = fields
        }
    }

    private struct State {
        var base: Reranker
        var experiments: LoadedExperiments
        var indices: [IndexArm]
        var snapshot: Snapshot

        mutating func rebuild() { snapshot = Snapshot(base: base, experiments: experiments, indices: indices) }
    }

    private let state: Mutex<State>

    init(_ reranker: Reranker, experiments: LoadedExperiments = LoadedExperiments(), indices: [IndexArm] = []) {
        state = Mutex(
            State(
                base: reranker, experiments: experiments, indices: indices,
                snapshot: Snapshot(base: reranker, experiments: experiments, indices: indices)))
    }

    /// The rerankers for one search; keep it for the whole search.
    var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// The served reranker.
    var serving: ServingReranker { snapshot.serving }

    /// Serves `reranker`; experiment arms that keep the served ranker, rules or weight follow it.
    func replace(_ reranker: Reranker) {
        // Built under the lock so a concurrent experiments reload cannot be lost; it takes microseconds.
        state.withLock {
            $0.base = reranker
            $0.rebuild()
        }
    }

    /// Serves `experiments` from now on.
    func replace(experiments: LoadedExperiments) {
        state.withLock {
            $0.experiments = experiments
            $0.rebuild()
        }
    }

    /// Serves `ranker` (a newly loaded model) for the `indices` entry at `position`.
    func replace(index position: Int, ranker: any Ranker) {
        state.withLock {
            $0.indices[position].ranker = ranker
            $0.rebuild()
        }
    }
}

/// How one `indices` entry reranks, over the served reranker: its own ranker (model or signals) or the served
/// one, and its own rules, weight and exploration where it sets them.
struct IndexArm: Sendable {
    /// The entry's own ranker when ``ownsRanker``; nil there is no ranker (engine order under the rules).
    var ranker: (any Ranker)?
    /// Whether the entry names a model or signals; otherwise it follows the served ranker, model reloads included.
    var ownsRanker: Bool
    var rules: [BusinessRule]?
    var weight: Double?
    var exploration: Exploration?

    /// The entry's reranker while `base` is served.
    func reranker(base: Reranker) -> Reranker {
        Reranker(
            ranker: ownsRanker ? ranker : base.ranker, rules: rules ?? base.rules, defaultWeight: weight ?? base.configuredWeight,
            exploration: exploration ?? base.exploration)
    }
}
