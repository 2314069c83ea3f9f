import Features
import LTR

/// Mean ranking metrics of one ordering over the query groups of a set.
public struct RankingEvaluation: Sendable, Equatable {
    /// Metric name (`ndcg@10`, `precision@10`, `recall@10`, `mrr`, `map`, ...) to its mean over groups.
    public var metrics: [String: Double]
    public var groups: Int

    /// Evaluates the ordering that sorts each group's rows by `score(group, row)`, highest first (ties keep
    /// the logged order).
    public init(
        set: TrainingSet,
        cutoffs: [Int] = [1, 5, 10],
        gain: RelevanceGain = .exponential,
        score: (_ group: Int, _ row: Int) -> Double
    ) {
        var sums: [String: Double] = [:]
        for group in 0..<set.groupCount {
            let range = set.groupBoundaries[group]..<set.groupBoundaries[group + 1]
            let labels = set.labels[range].map(Double.init)
            let scores = labels.indices.map { score(group, $0) }
            let ranked = RankingMetrics.ranking(scores: scores).map { labels[$0] }
            for cutoff in cutoffs {
                sums["ndcg@\(cutoff)", default: 0] += RankingMetrics.ndcg(rankedLabels: ranked, cutoff: cutoff, gain: gain)
                sums["precision@\(cutoff)", default: 0] += RankingMetrics.precision(rankedLabels: ranked, cutoff: cutoff)
                sums["recall@\(cutoff)", default: 0] += RankingMetrics.recall(rankedLabels: ranked, cutoff: cutoff)
            }
            sums["mrr", default: 0] += RankingMetrics.reciprocalRank(rankedLabels: ranked)
            sums["map", default: 0] += RankingMetrics.averagePrecision(rankedLabels: ranked)
        }
        groups = set.groupCount
        metrics = sums.mapValues { $0 / Double(max(1, set.groupCount)) }
    }
}
