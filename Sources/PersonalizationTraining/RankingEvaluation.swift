import Features
import LTRModel
import LTRTraining
import Personalization

/// Mean ranking metrics of one ordering over the query groups of a set.
public struct RankingEvaluation: Sendable, Equatable {
    /// Metric name (`ndcg@10`, `precision@10`, `recall@10`, `mrr`, `map`, ...) to its mean over groups.
    public var metrics: [String: Double]
    public var groups: Int

    /// Evaluates the ordering that sorts each group's rows by `score(group, row)`, highest first (ties keep
    /// the logged order), with LTR's ``RankingEvaluator``.
    public init(
        set: TrainingSet,
        cutoffs: [Int] = [1, 5, 10],
        gain: RelevanceGain = .exponential,
        score: (_ group: Int, _ row: Int) -> Double
    ) {
        var scores: [Double] = []
        scores.reserveCapacity(set.labels.count)
        for group in 0..<set.groupCount {
            for row in 0..<(set.groupBoundaries[group + 1] - set.groupBoundaries[group]) { scores.append(score(group, row)) }
        }
        let evaluator = RankingEvaluator(ndcgAt: cutoffs, precisionAt: cutoffs, recallAt: cutoffs, gain: gain)
        let report = evaluator.evaluate(labels: set.labels, scores: scores, queryBoundaries: set.groupBoundaries)
        metrics = Dictionary(uniqueKeysWithValues: report.metrics.map { ($0.name, $0.value) })
        groups = set.groupCount
    }
}
