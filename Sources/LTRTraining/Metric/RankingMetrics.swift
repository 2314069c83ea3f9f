import Foundation
import LTRModel

/// How a relevance label turns into gain in DCG.
public enum RelevanceGain: Sendable, Equatable {
    /// `2^label − 1` (LightGBM's and the LETOR benchmarks' default).
    case exponential
    /// `label`.
    case linear
    /// `table[Int(label)]`, like LightGBM's `label_gain`; labels beyond the table gain the last entry.
    case table([Double])

    /// The gain of one label.
    @inline(__always)
    public func gain(_ label: Double) -> Double {
        switch self {
        case .exponential: return exp2(label) - 1
        case .linear: return label
        case .table(let table): return table[min(max(0, Int(label)), table.count - 1)]
        }
    }
}

/// Ranking quality of one query, as pure functions of the labels in ranked order (best first).
///
/// Conventions, made explicit because tools differ:
/// - Cutoffs larger than the list use the whole list; positions are 1-based.
/// - A document is relevant when its label is `> relevanceThreshold` (default 0).
/// - Queries without any relevant document: NDCG, recall and average precision are 1 (LightGBM's convention:
///   no ordering could do better), precision and reciprocal rank are 0 (nothing relevant was found).
///   `RankingEvaluator` can skip such queries instead (trec_eval's convention).
/// - Precision@k divides by `k`, even when the list is shorter.
/// - To rank by score, use `ranking(scores:)`: ties keep the original order.
///
/// ```swift
/// let order = RankingMetrics.ranking(scores: [0.2, 0.9, 0.5])   // [1, 2, 0]
/// let labels = order.map { [0.0, 2, 1][$0] }                     // [2, 1, 0]
/// RankingMetrics.ndcg(rankedLabels: labels, cutoff: 3)           // 1.0
/// ```
public enum RankingMetrics {
    /// Document indices sorted by decreasing score; equal scores keep their original order.
    public static func ranking(scores: some RandomAccessCollection<Double>) -> [Int] {
        let values = Array(scores)
        return values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
    }

    /// DCG@k: `Σ gain(label_i) / log2(i + 1)` over positions `i = 1...k`.
    public static func dcg(
        rankedLabels: some RandomAccessCollection<Double>,
        cutoff: Int,
        gain: RelevanceGain = .exponential
    ) -> Double {
        var total = 0.0
        for (position, label) in rankedLabels.prefix(cutoff).enumerated() {
            total += gain.gain(label) / log2(Double(position) + 2)
        }
        return total
    }

    /// NDCG@k: DCG@k over the DCG@k of the ideal order; 1 when the ideal DCG is 0 (no relevant document).
    public static func ndcg(
        rankedLabels: some RandomAccessCollection<Double>,
        cutoff: Int,
        gain: RelevanceGain = .exponential
    ) -> Double {
        let ideal = dcg(rankedLabels: rankedLabels.sorted(by: >), cutoff: cutoff, gain: gain)
        guard ideal > 0 else { return 1 }
        return dcg(rankedLabels: rankedLabels, cutoff: cutoff, gain: gain) / ideal
    }

    /// Precision@k: relevant documents among the first `k`, divided by `k`.
    public static func precision(
        rankedLabels: some RandomAccessCollection<Double>,
        cutoff: Int,
        relevanceThreshold: Double = 0
    ) -> Double {
        guard cutoff > 0 else { return 0 }
        let hits = rankedLabels.prefix(cutoff).filter { $0 > relevanceThreshold }.count
        return Double(hits) / Double(cutoff)
    }

    /// Recall@k: relevant documents among the first `k` over all relevant documents; 1 when there are none.
    public static func recall(
        rankedLabels: some RandomAccessCollection<Double>,
        cutoff: Int,
        relevanceThreshold: Double = 0
    ) -> Double {
        let relevant = rankedLabels.filter { $0 > relevanceThreshold }.count
        guard relevant > 0 else { return 1 }
        let hits = rankedLabels.prefix(cutoff).filter { $0 > relevanceThreshold }.count
        return Double(hits) / Double(relevant)
    }

    /// Reciprocal rank: `1 / position` of the first relevant document; 0 when there is none.
    public static func reciprocalRank(
        rankedLabels: some RandomAccessCollection<Double>,
        relevanceThreshold: Double = 0
    ) -> Double {
        guard let position = rankedLabels.firstIndex(where: { $0 > relevanceThreshold }) else { return 0 }
        return 1 / Double(rankedLabels.distance(from: rankedLabels.startIndex, to: position) + 1)
    }

    /// Average precision over the whole list: the mean of precision@i at each relevant position `i`;
    /// 1 when there is no relevant document (LightGBM's MAP convention).
    public static func averagePrecision(
        rankedLabels: some RandomAccessCollection<Double>,
        relevanceThreshold: Double = 0
    ) -> Double {
        var hits = 0
        var total = 0.0
        for (position, label) in rankedLabels.enumerated() where label > relevanceThreshold {
            hits += 1
            total += Double(hits) / Double(position + 1)
        }
        return hits > 0 ? total / Double(hits) : 1
    }
}
