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

        init(base: Reranker, experiments: LoadedExperiments) {
            serving = ServingReranker(base)
            self.experiments = ServingExperiments(experiments, base: base)
            var fields = serving.fields
            for field in self.experiments.fields where !fields.contains(field) { fields.append(field) }
            self.fields = fields
        }
    }

    private struct State {
        var base: Reranker
        var experiments: LoadedExperiments
        var snapshot: Snapshot
    }

    private let state: Mutex<State>

    init(_ reranker: Reranker, experiments: LoadedExperiments = LoadedExperiments()) {
        state = Mutex(State(base: reranker, experiments: experiments, snapshot: Snapshot(base: reranker, experiments: experiments)))
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
            $0.snapshot = Snapshot(base: reranker, experiments: $0.experiments)
        }
    }

    /// Serves `experiments` from now on.
    func replace(experiments: LoadedExperiments) {
        state.withLock {
            $0.experiments = experiments
            $0.snapshot = Snapshot(base: $0.base, experiments: experiments)
        }
    }
}
