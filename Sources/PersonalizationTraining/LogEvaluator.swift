import EventLog
import Features
import Foundation
import LTRModel
import LTRTraining
import Personalization
import Ranking
import RerankCore

/// How `rerank evaluate --logs` holds out searches.
public enum HoldOut: String, Sendable, CaseIterable {
    /// The latest share of searches (default 20%).
    case time
    /// Each user's last search with an interaction.
    case lastPerUser = "last-per-user"
}

/// One ranking's metrics, overall and by segment.
public struct EvaluatedRanking: Sendable {
    public var overall: RankingEvaluation
    /// Segment (`device=mobile`, `daypart=evening`, `user=new`, ...) to metrics.
    public var segments: [String: RankingEvaluation]
    /// Distinct items in the top 10 across held-out searches ÷ distinct items shown in them.
    public var coverage: Double
    /// Share of held-out searches whose top 10 differs from the engine's.
    public var changed: Double
    /// Each held-out search's items in this ranking's order.
    public var orders: [[String]]
    /// The logged clicks this ranking would earn, corrected for position bias; nil when the logs give no estimate
    /// of the bias.
    public var counterfactual: CounterfactualEstimate?
}

/// What `rerank evaluate --logs` reports.
public struct LogEvaluation: Sendable {
    public var heldOutGroups: Int
    /// Held-out searches that training or validation of the model (or the compared model) already used: the
    /// model's metrics on them are optimistic. 0 when the models were trained with a matching test fraction.
    public var seenInTraining: Int
    /// The `query_id` of each held-out search, in the order of ``EvaluatedRanking/orders``.
    public var queryIDs: [String]
    public var gain: RelevanceGain
    /// `original`, `baseline`, `coec`, `random`, `model`, `served` (and `compared`).
    public var rankings: [String: EvaluatedRanking]
    /// The weight the served ranking blends the model in at: the one training chose (``BlendChoice``), or
    /// ``Reranker/fallbackWeight`` for a model trained before weights were chosen.
    public var servedWeight: Double
    /// How training chose ``servedWeight``; nil for an older model (``servedWeight`` is then the fallback).
    public var servedChoice: BlendChoice?
    public var servedWeightChosen: Bool { servedChoice != nil }
    /// Whether the model was trained with its clicks corrected for position bias.
    public var debiased: Bool
    /// Model − original NDCG@10: mean and 95% bootstrap interval.
    public var uplift: (mean: Double, low: Double, high: Double)
    /// Served − original NDCG@10: mean and 95% bootstrap interval.
    public var servedUplift: (mean: Double, low: Double, high: Double)
    /// Model − compared model NDCG@10 (paired, same searches), when a model to compare with was given.
    public var upliftOverCompared: (mean: Double, low: Double, high: Double)?
    public var replay: ReplaySummary
    /// The position bias the counterfactual estimates use, estimated from every replayed search (one estimate for
    /// every ranking); nil when the logs have no clicks past the first position.
    public var positionBias: PositionBias?
}

/// Replays held-out logs with point-in-time features and compares orderings of each logged result list.
public enum LogEvaluator {
    /// Every ranking an evaluation can hold, in report order; `compared` only with a model to compare with.
    /// `model` is the model's own order; `served` is what the sidecar serves: the model blended with the engine's
    /// score at the model's chosen weight.
    public static let rankingNames = ["original", "baseline", "coec", "random", "compared", "model", "served"]

    /// Evaluates `model` on `log` replayed from memory (``HeldOutSearches/init(log:builder:items:profiles:holdOut:fraction:)``).
    public static func evaluate(
        model: PersonalizationModel,
        comparedWith compared: PersonalizationModel? = nil,
        log: InteractionLog,
        items: [String: ItemAttributes],
        profiles: [String: [UInt64]] = [:],
        holdOut: HoldOut = .time,
        fraction: Double = 0.2,
        gain: RelevanceGain = .exponential,
        seed: UInt64 = 1
    ) throws -> LogEvaluation {
        let heldOut = try HeldOutSearches(
            log: log, builder: builder(for: model), items: items, profiles: profiles, holdOut: holdOut, fraction: fraction)
        return try evaluate(model: model, comparedWith: compared, heldOut: heldOut, gain: gain, seed: seed)
    }

    /// The replay `model`'s rows come from: its label gains and declared features.
    public static func builder(for model: PersonalizationModel) -> TrainingSetBuilder {
        var builder = TrainingSetBuilder()
        builder.gains = model.extras.gains
        builder.declared = model.extras.state.declared
        return builder
    }

    /// Compares the rankings of the held-out searches (replayed with ``builder(for:)`` of `model`).
    public static func evaluate(
        model: PersonalizationModel,
        comparedWith compared: PersonalizationModel? = nil,
        heldOut: HeldOutSearches,
        gain: RelevanceGain = .exponential,
        seed: UInt64 = 1
    ) throws -> LogEvaluation {
        let test = heldOut.set
        let impressions = heldOut.impressions
        let positionBias = heldOut.positionBias
        let width = test.featureNames.count
        let ctrColumn = Feature.itemCTR.rawValue
        let coecColumn = Feature.queryItemDebiasedCTR.rawValue
        let coldColumn = Feature.userCold.rawValue
        let modelScores = try scores(of: model, on: test)
        let servedWeight = model.extras.blend?.weight ?? Reranker.fallbackWeight
        let servedScores = test.blendedScores(modelScores: modelScores, weight: servedWeight)
        var random = SplitMix64(seed: seed)
        let randomScores = test.labels.map { _ in Double(random.next() >> 11) }
        func column(_ column: Int) -> (Int, Int) -> Double {
            { group, row in Double(test.rows[(test.groupBoundaries[group] + row) * width + column]) }
        }
        var scorers: [String: (Int, Int) -> Double] = [
            "original": { group, row in -Double(test.groups[group].originalRank(ofShown: row)) },
            "baseline": column(ctrColumn),
            "coec": column(coecColumn),
            "random": { group, row in randomScores[test.groupBoundaries[group] + row] },
            "model": { group, row in modelScores[test.groupBoundaries[group] + row] },
            "served": { group, row in servedScores[test.groupBoundaries[group] + row] },
        ]
        if let compared {
            let comparedScores = try scores(of: compared, on: test)
            scorers["compared"] = { group, row in comparedScores[test.groupBoundaries[group] + row] }
        }
        var segments: [String: [Int]] = [:]
        for group in 0..<test.groupCount {
            let impression = impressions[group]
            segments["device=\(impression.device.rawValue)", default: []].append(group)
            segments["daypart=\(impression.localTime.daypart.rawValue)", default: []].append(group)
            let cold = test.rows[test.groupBoundaries[group] * width + coldColumn] > 0
            segments["user=\(cold ? "new" : "returning")", default: []].append(group)
        }
        let ordered = scorers.mapValues { orders(impressions, $0) }
        let originalTop = ordered["original"]!.map { Array($0.prefix(10)) }
        let shown = Set(impressions.flatMap(\.items))
        var rankings: [String: EvaluatedRanking] = [:]
        for (name, score) in scorers {
            let top = ordered[name]!.map { Array($0.prefix(10)) }
            rankings[name] = EvaluatedRanking(
                overall: RankingEvaluation(set: test, gain: gain, score: score),
                segments: segments.mapValues { groups in
                    let subset = test.subset(groups, keepingRows: false)
                    return RankingEvaluation(set: subset, gain: gain) { group, row in score(groups[group], row) }
                },
                coverage: Double(Set(top.flatMap { $0 }).count) / Double(max(1, shown.count)),
                changed: Double(zip(top, originalTop).filter { $0 != $1 }.count) / Double(max(1, test.groupCount)),
                orders: ordered[name]!,
                counterfactual: positionBias.map { CounterfactualEstimate(test, bias: $0, seed: seed, score: score) }
            )
        }
        let uplift = bootstrap(test, gain: gain, seed: seed, scorers["model"]!, minus: scorers["original"]!)
        let trainedUntil = [model.extras.trainedUntil, compared?.extras.trainedUntil].compactMap { $0 }.max()
        // Strictly earlier: a held-out search in the same millisecond as the last trained one is not counted.
        let seen = trainedUntil.map { until in test.groups.filter { $0.time < until }.count } ?? 0
        return LogEvaluation(
            heldOutGroups: test.groupCount, seenInTraining: seen, queryIDs: impressions.map(\.queryID), gain: gain, rankings: rankings,
            servedWeight: servedWeight, servedChoice: model.extras.blend, debiased: model.extras.positionBias != nil, uplift: uplift,
            servedUplift: bootstrap(test, gain: gain, seed: seed, scorers["served"]!, minus: scorers["original"]!),
            upliftOverCompared: scorers["compared"].map { bootstrap(test, gain: gain, seed: seed, scorers["model"]!, minus: $0) },
            replay: heldOut.summary, positionBias: positionBias)
    }

    /// A model's score of every row, from the columns it was trained on (found by name: a compared model may
    /// declare fewer features than the rows hold).
    private static func scores(of model: PersonalizationModel, on set: TrainingSet) throws -> [Double] {
        let names = model.extras.columns.map { model.extras.featureSchema[$0] }
        let missing = names.filter { !set.featureNames.contains($0) }
        guard missing.isEmpty else { throw TrainingError.otherDeclaredFeatures(missing) }
        let columns = names.map { set.featureNames.firstIndex(of: $0)! }
        return try model.ranking.scorer().score(rows: FeatureSchema.select(columns, from: set.rows, width: set.featureNames.count))
    }

    /// Each search's items ordered by `score` (higher first, ties in logged order).
    private static func orders(_ impressions: [LoggedImpression], _ score: (Int, Int) -> Double) -> [[String]] {
        impressions.indices.map { group in
            let items = impressions[group].items
            return RankingMetrics.ranking(scores: items.indices.map { score(group, $0) }).map { items[$0] }
        }
    }

    /// Mean per-search NDCG@10 difference of two rankings and its 95% percentile bootstrap interval (1,000
    /// resamples of the same searches for both, so the difference is paired).
    private static func bootstrap(
        _ set: TrainingSet, gain: RelevanceGain, seed: UInt64, _ ranking: (Int, Int) -> Double, minus other: (Int, Int) -> Double
    ) -> (mean: Double, low: Double, high: Double) {
        let differences = zip(set.searchNDCG(gain: gain, score: ranking), set.searchNDCG(gain: gain, score: other)).map { $0 - $1 }
        return PercentileBootstrap.mean(of: differences, seed: seed &+ 17)
    }
}

extension TrainingSet {
    /// NDCG@10 of each search ordered by `score` (higher first, ties in logged order).
    func searchNDCG(gain: RelevanceGain = .exponential, score: (_ group: Int, _ row: Int) -> Double) -> [Double] {
        (0..<groupCount).map { group in
            let labels = self.labels(ofGroup: group).map(Double.init)
            let order = RankingMetrics.ranking(scores: labels.indices.map { score(group, $0) })
            return RankingMetrics.ndcg(rankedLabels: order.map { labels[$0] }, cutoff: 10, gain: gain)
        }
    }
}
