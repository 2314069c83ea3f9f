import EventLog
import Experiments
import Foundation
import RerankCore

/// One search's experiment arm: how it is served, and what its response headers and impression say.
///
/// Assignment is a hash and a comparison on the snapshot taken at the start of the search; no lock is held
/// and nothing waits.
struct ExperimentRoute: Sendable {
    /// nil outside every experiment.
    let assignment: Assignment?
    /// The reranker (or interleaved pair) that serves the search.
    let serving: ServingReranker
    /// The variant turns reranking off: the search is forwarded as the client sent it.
    let rerankingOff: Bool
    /// Coins of the team draft, fixed per experiment, searcher and query text, so page 2 continues page 1's draft.
    let interleavingSeed: UInt64

    /// Assigns a search by the context's user (else session) at its time.
    ///
    /// - Parameter override: the `X-Rerank-Variant-Override` header, `experiment/variant`.
    /// - Throws: ``RerankError`` (400) when the override names no configured experiment or variant.
    init(_ snapshot: RerankerStore.Snapshot, context: SearchContext, override: String?) throws(RerankError) {
        do {
            assignment = try snapshot.experiments.assigner.assign(
                clientID: context.clientID, at: Date(timeIntervalSince1970: context.time), override: override)
        } catch {
            throw .invalidRerankExtension(field: ProxyHeaders.variantOverride, error.description)
        }
        switch assignment.flatMap(snapshot.experiments.choice(for:)) {
        case .rerank(let arm)?:
            serving = arm
            rerankingOff = false
        case .off?:
            serving = ServingReranker(ServingExperiments.engineOrder)
            rerankingOff = true
        case nil:
            serving = snapshot.serving
            rerankingOff = false
        }
        if let assignment, serving.interleaved != nil {
            interleavingSeed = StableBucket.hash(
                salt: assignment.experiment.salt + "/interleave", id: (context.clientID ?? "") + "\u{1F}" + context.query)
        } else {
            interleavingSeed = 0
        }
    }

    /// The `X-Rerank-Variant` value: the variant's name, `interleaved`, or `default` outside every experiment.
    var variant: String { assignment?.variantName ?? Assignment.outside }

    /// The `X-Rerank-Model` value.
    var model: String { rerankingOff ? "none" : serving.version }

    /// Why a search of a variant without reranking is not reranked.
    var offReason: String { "reranking off in experiment \(assignment?.experiment.name ?? "") variant \(variant)" }

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
