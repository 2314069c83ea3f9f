import EventLog
import Experiments
import Foundation
import RerankCore

/// One search's experiment arm: how it is served, and what its response headers and impression say.
///
/// Assignment is a hash and a comparison on the snapshot taken at the start of the search; no lock is held
/// and nothing waits. A search outside every experiment gets the default: the control's behaviour of the first
/// running experiment, or the served configuration when none runs.
struct ExperimentRoute: Sendable {
    /// nil outside every experiment.
    let assignment: Assignment?
    /// The reranker (or interleaved pair) that serves the search.
    let serving: ServingReranker
    /// Why the search is forwarded as the client sent it and not reranked; nil when it is reranked.
    let skipReason: String?
    /// Coins of the team draft, fixed per experiment, searcher and query text, so page 2 continues page 1's draft.
    let interleavingSeed: UInt64
    /// The `indices` entry serving the search; nil for the `rerank` section.
    var indexConfig: String? = nil

    /// Assigns a search by the context's user (else session) at its time.
    ///
    /// - Parameters:
    ///   - override: the `X-Rerank-Variant-Override` header, `experiment/variant`.
    ///   - rerankingEnabled: `rerank.enabled`, for searches outside every experiment when none runs.
    /// - Throws: ``RerankError`` (400) when the override names no configured experiment or variant.
    init(_ snapshot: RerankerStore.Snapshot, context: SearchContext, override: String?, rerankingEnabled: Bool) throws(RerankError) {
        let date = Date(timeIntervalSince1970: context.time)
        let assigner = snapshot.experiments.assigner
        do {
            assignment = try assigner.assign(clientID: context.clientID, at: date, override: override)
        } catch {
            throw .invalidRerankExtension(field: ProxyHeaders.variantOverride, error.description)
        }
        let choice: ServingChoice?
        var skipReason: String?
        if let assignment {
            choice = snapshot.experiments.choice(for: assignment)
            skipReason = "reranking off in experiment \(assignment.experiment.name) variant \(assignment.variantName)"
        } else if let experiment = assigner.defaultExperiment(at: date) {
            choice = snapshot.experiments.control(of: experiment)
            skipReason = "reranking off by default (the control of experiment \(experiment.name))"
        } else {
            choice = rerankingEnabled ? .rerank(snapshot.serving) : .off
            skipReason = "reranking disabled"
        }
        switch choice {
        case .rerank(let arm)?:
            serving = arm
            skipReason = nil
        case .off?, nil:
            serving = ServingReranker(ServingExperiments.engineOrder)
        }
        self.skipReason = skipReason
        if let assignment, serving.interleaved != nil {
            interleavingSeed = StableBucket.hash(
                salt: assignment.experiment.salt + "/interleave", id: (context.clientID ?? "") + "\u{1F}" + context.query)
        } else {
            interleavingSeed = 0
        }
    }

    /// Serves a search on the indices of an `indices` entry, which takes part in no experiment.
    ///
    /// - Parameters:
    ///   - arm: the entry's reranker; `name`: the entry's name; `enabled`: its `enabled`.
    ///   - override: the `X-Rerank-Variant-Override` header.
    /// - Throws: ``RerankError`` (400) when a variant is forced: experiments do not take such searches.
    init(index arm: ServingReranker, name: String, enabled: Bool, override: String?) throws(RerankError) {
        if override != nil {
            throw .invalidRerankExtension(
                field: ProxyHeaders.variantOverride,
                "the search's indices are served by the indices entry '\(name)', which takes part in no experiment; send the header with searches on other indices")
        }
        assignment = nil
        serving = enabled ? arm : ServingReranker(ServingExperiments.engineOrder)
        skipReason = enabled ? nil : "reranking disabled"
        interleavingSeed = 0
        indexConfig = name
    }

    /// The `X-Rerank-Variant` value: the variant's name, `interleaved`, or `default` outside every experiment.
    var variant: String { assignment?.variantName ?? Assignment.outside }

    /// The `X-Rerank-Model` value; `@` and the entry's name when an `indices` entry serves the search.
    var model: String {
        let model = skipReason == nil ? serving.version : "none"
        return indexConfig.map { "\(model)@\($0)" } ?? model
    }

    /// The impression's experiment attributes, with the team of each shown hit when interleaved.
    func tag(shown: [ShownHit]) -> ExperimentTag {
        guard let assignment else { return ExperimentTag(experiment: nil, variant: Assignment.outside) }
        let experiment = assignment.experiment
        let interleaved = experiment.kind == .interleaving
        let teams = shown.compactMap(\.team)
        return ExperimentTag(
            experiment: experiment.name, variant: variant, type: experiment.kind.rawValue, traffic: experiment.traffic,
            split: interleaved ? [] : experiment.variants.map { .init(variant: $0.name, share: $0.share) },
            forced: assignment.forced, teams: teams.isEmpty || teams.count != shown.count ? nil : teams.map(\.rawValue))
    }
}
