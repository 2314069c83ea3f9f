import Features
import LTRModel
import Personalization
import Ranking

extension BlendChoice {
    /// The weights training tries: 0 (the engine's order), 0.1, …, 1 (the model's order).
    public static let candidateWeights = (0...10).map { Double($0) / 10 }

    /// Chooses the weight whose served blend (``Reranker/blend(searchScores:rankerScores:weight:)``, the one
    /// serving uses) scores best on `validation`, the lowest such, so a model that does not help is served at
    /// weight 0, the engine's order. With `bias` (the model was trained on debiased clicks) the score is the
    /// counterfactual DCG@10 of the clicks corrected by it, else NDCG@10 of the interactions as logged.
    ///
    /// The best weight is served only when its gain over the engine's order, search by search, is above 0 with
    /// 95% confidence (percentile bootstrap of the validation searches); else the engine's order is: too few
    /// validation searches cannot show that reranking helps, and a reranker must not make search worse.
    public init(choosingOn validation: TrainingSet, modelScores: [Double], bias: PositionBias? = nil, seed: UInt64 = 1) {
        let candidates = Self.candidateWeights
        let perSearch = candidates.map { weight in
            let blended = validation.blendedScores(modelScores: modelScores, weight: weight)
            let score = { (group: Int, row: Int) in blended[validation.groupBoundaries[group] + row] }
            guard let bias else { return validation.searchNDCG(score: score) }
            return CounterfactualEstimate.credits(validation, bias: bias, score: score).credits
        }
        let scores = perSearch.map { $0.reduce(0, +) / Double(max(1, $0.count)) }
        let best = scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) } ?? 0
        let engine = candidates.firstIndex(of: 0) ?? 0
        let gain = PercentileBootstrap.mean(of: zip(perSearch[best], perSearch[engine]).map { $0 - $1 }, seed: seed)
        self.init(
            weight: gain.low > 0 ? candidates[best] : 0, candidates: candidates,
            criterion: bias == nil ? .ndcg : .counterfactualDCG, validationScores: scores, bestWeight: candidates[best],
            bestGain: Gain(mean: gain.mean, low: gain.low, high: gain.high))
    }
}

extension TrainingSet {
    /// Every row's served score when the model's `modelScores` are blended in at `weight`, search by search.
    public func blendedScores(modelScores: [Double], weight: Double) -> [Double] {
        var scores: [Double] = []
        scores.reserveCapacity(labels.count)
        for group in 0..<groupCount {
            let rows = groupBoundaries[group]..<groupBoundaries[group + 1]
            scores += Reranker.blend(
                searchScores: groups[group].engineScores, rankerScores: Array(modelScores[rows]), weight: weight)
        }
        return scores
    }
}
