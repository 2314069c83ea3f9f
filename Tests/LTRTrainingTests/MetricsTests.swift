import Foundation
import LTRModel
import LTRTraining
import RerankCore
import Testing

/// Metrics against values worked out by hand.
@Suite struct MetricsTests {
    /// The classic example: labels in ranked order.
    let ranked: [Double] = [3, 2, 3, 0, 1, 2]

    @Test func ndcgLinearGain() {
        let dcg = 3 + 2 / log2(3.0) + 3 / 2 + 0 + 1 / log2(6.0) + 2 / log2(7.0)
        let ideal = 3 + 3 / log2(3.0) + 2 / 2 + 2 / log2(5.0) + 1 / log2(6.0) + 0
        #expect(abs(RankingMetrics.dcg(rankedLabels: ranked, cutoff: 6, gain: .linear) - dcg) < 1e-12)
        #expect(abs(RankingMetrics.ndcg(rankedLabels: ranked, cutoff: 6, gain: .linear) - dcg / ideal) < 1e-12)
        #expect(abs(RankingMetrics.ndcg(rankedLabels: ranked, cutoff: 6, gain: .linear) - 0.9608) < 1e-4)
        let dcg3 = 3 + 2 / log2(3.0) + 3 / 2
        let ideal3 = 3 + 3 / log2(3.0) + 2 / 2
        #expect(abs(RankingMetrics.ndcg(rankedLabels: ranked, cutoff: 3, gain: .linear) - dcg3 / ideal3) < 1e-12)
    }

    @Test func ndcgExponentialGain() {
        // Gains 2^label - 1: [7, 3, 7, 0, 1, 3].
        let dcg = 7 + 3 / log2(3.0) + 7 / 2 + 0 + 1 / log2(6.0) + 3 / log2(7.0)
        let ideal = 7 + 7 / log2(3.0) + 3 / 2 + 3 / log2(5.0) + 1 / log2(6.0) + 0
        #expect(abs(RankingMetrics.ndcg(rankedLabels: ranked, cutoff: 6) - dcg / ideal) < 1e-12)
        #expect(abs(RankingMetrics.ndcg(rankedLabels: ranked, cutoff: 6, gain: .exponential) - 0.9488) < 1e-4)
        // A cutoff beyond the list uses the whole list.
        #expect(RankingMetrics.ndcg(rankedLabels: ranked, cutoff: 100) == RankingMetrics.ndcg(rankedLabels: ranked, cutoff: 6))
        #expect(RankingMetrics.ndcg(rankedLabels: [2, 1, 0], cutoff: 3) == 1)
        #expect(RelevanceGain.table([0, 1, 5]).gain(2) == 5)
    }

    @Test func queriesWithoutRelevantDocuments() {
        let none: [Double] = [0, 0, 0]
        #expect(RankingMetrics.ndcg(rankedLabels: none, cutoff: 10) == 1)
        #expect(RankingMetrics.recall(rankedLabels: none, cutoff: 10) == 1)
        #expect(RankingMetrics.averagePrecision(rankedLabels: none) == 1)
        #expect(RankingMetrics.precision(rankedLabels: none, cutoff: 10) == 0)
        #expect(RankingMetrics.reciprocalRank(rankedLabels: none) == 0)
    }

    @Test func binaryMetrics() {
        #expect(RankingMetrics.precision(rankedLabels: ranked, cutoff: 3) == 1)
        #expect(abs(RankingMetrics.precision(rankedLabels: ranked, cutoff: 3, relevanceThreshold: 2) - 2.0 / 3) < 1e-12)
        #expect(RankingMetrics.precision(rankedLabels: ranked, cutoff: 10) == 0.5)  // 5 hits / 10
        #expect(abs(RankingMetrics.recall(rankedLabels: ranked, cutoff: 3) - 3.0 / 5) < 1e-12)
        #expect(RankingMetrics.recall(rankedLabels: ranked, cutoff: 3, relevanceThreshold: 2) == 1)
        #expect(abs(RankingMetrics.reciprocalRank(rankedLabels: [0, 0, 1, 1]) - 1.0 / 3) < 1e-12)
        #expect(RankingMetrics.reciprocalRank(rankedLabels: [2, 0]) == 1)
        #expect(abs(RankingMetrics.averagePrecision(rankedLabels: [1, 0, 1, 0]) - (1 + 2.0 / 3) / 2) < 1e-12)
        // Precision at the relevant positions 2 and 5: 1/2 and 2/5.
        #expect(abs(RankingMetrics.averagePrecision(rankedLabels: [0, 1, 0, 0, 1]) - (0.5 + 0.4) / 2) < 1e-12)
    }

    @Test func rankingIsStableOnTies() {
        #expect(RankingMetrics.ranking(scores: [1, 2, 2, 0]) == [1, 2, 0, 3])
        #expect(RankingMetrics.ranking(scores: [5, 5, 5]) == [0, 1, 2])
    }

    @Test func evaluatorAveragesQueries() {
        // Query 1: scores rank the labels [1, 0] (perfect); query 2: [0, 1] (worst); query 3: no relevant.
        let labels: [Float] = [1, 0, 1, 0, 0, 0]
        let scores: [Double] = [2, 1, 1, 2, 0, 0]
        let evaluator = RankingEvaluator(ndcgAt: [2], precisionAt: [1], recallAt: [1])
        #expect(evaluator.metricNames == ["ndcg@2", "precision@1", "recall@1", "mrr", "map"])
        let report = evaluator.evaluate(labels: labels, scores: scores, queryBoundaries: [0, 2, 4, 6])
        #expect(report.queries == 3)
        #expect(abs(report["ndcg@2"]! - (1 + 1 / log2(3.0) + 1) / 3) < 1e-12)
        #expect(abs(report["precision@1"]! - 1.0 / 3) < 1e-12)
        #expect(abs(report["mrr"]! - (1 + 0.5 + 0) / 3) < 1e-12)
        #expect(abs(report["map"]! - (1 + 0.5 + 1) / 3) < 1e-12)
        var skipping = evaluator
        skipping.skipQueriesWithoutRelevant = true
        let skipped = skipping.evaluate(labels: labels, scores: scores, queryBoundaries: [0, 2, 4, 6])
        #expect(skipped.queries == 2)
        #expect(abs(skipped["mrr"]! - 0.75) < 1e-12)
    }
}
