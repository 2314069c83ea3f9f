import LTRModel

/// One named metric value, e.g. `ndcg@10 = 0.74`.
public struct MetricValue: Sendable, Equatable, Codable {
    /// The metric's name: `ndcg@k`, `precision@k`, `recall@k`, `mrr` or `map`.
    public var name: String
    /// The mean over queries.
    public var value: Double

    /// Creates a metric value.
    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// Mean ranking metrics over the queries of a data set, from model scores.
///
/// Each query is ranked by decreasing score (ties keep the original order), scored with `RankingMetrics`, and
/// the metrics are averaged over queries. See `RankingMetrics` for the conventions.
///
/// ```swift
/// let evaluator = RankingEvaluator(gain: .linear)
/// let report = evaluator.evaluate(labels: test.labels, scores: scores, queryBoundaries: test.queryBoundaries)
/// report["ndcg@10"]
/// ```
public struct RankingEvaluator: Sendable {
    /// Cutoffs of NDCG@k.
    public var ndcgAt: [Int]
    /// Cutoffs of precision@k.
    public var precisionAt: [Int]
    /// Cutoffs of recall@k.
    public var recallAt: [Int]
    /// Gain of NDCG.
    public var gain: RelevanceGain
    /// Labels above this are relevant for precision, recall, MRR and MAP.
    public var relevanceThreshold: Double
    /// Leave out queries without any relevant document (instead of the conventions of `RankingMetrics`).
    public var skipQueriesWithoutRelevant: Bool

    /// Creates an evaluator; the defaults give ndcg@1, 3, 5, 10, precision@10, recall@10, mrr and map.
    public init(
        ndcgAt: [Int] = [1, 3, 5, 10],
        precisionAt: [Int] = [10],
        recallAt: [Int] = [10],
        gain: RelevanceGain = .exponential,
        relevanceThreshold: Double = 0,
        skipQueriesWithoutRelevant: Bool = false
    ) {
        self.ndcgAt = ndcgAt
        self.precisionAt = precisionAt
        self.recallAt = recallAt
        self.gain = gain
        self.relevanceThreshold = relevanceThreshold
        self.skipQueriesWithoutRelevant = skipQueriesWithoutRelevant
    }

    /// The metric names in report order.
    public var metricNames: [String] {
        ndcgAt.map { "ndcg@\($0)" } + precisionAt.map { "precision@\($0)" } + recallAt.map { "recall@\($0)" }
            + ["mrr", "map"]
    }

    /// Metrics of one query, in `metricNames` order, from its labels and scores.
    public func evaluateQuery(labels: [Double], scores: [Double]) -> [Double] {
        let ranked = RankingMetrics.ranking(scores: scores).map { labels[$0] }
        var values: [Double] = []
        values.reserveCapacity(metricNames.count)
        for cutoff in ndcgAt { values.append(RankingMetrics.ndcg(rankedLabels: ranked, cutoff: cutoff, gain: gain)) }
        for cutoff in precisionAt {
            values.append(
                RankingMetrics.precision(rankedLabels: ranked, cutoff: cutoff, relevanceThreshold: relevanceThreshold))
        }
        for cutoff in recallAt {
            values.append(
                RankingMetrics.recall(rankedLabels: ranked, cutoff: cutoff, relevanceThreshold: relevanceThreshold))
        }
        values.append(RankingMetrics.reciprocalRank(rankedLabels: ranked, relevanceThreshold: relevanceThreshold))
        values.append(RankingMetrics.averagePrecision(rankedLabels: ranked, relevanceThreshold: relevanceThreshold))
        return values
    }

    /// Mean metrics over all queries.
    ///
    /// - Parameters:
    ///   - labels: relevance label of each row.
    ///   - scores: model score of each row.
    ///   - queryBoundaries: `[0, end of query 1, ..., rowCount]`, as in `Dataset`.
    /// - Returns: the report; its `queries` counts the queries averaged over.
    public func evaluate(labels: [Float], scores: [Double], queryBoundaries: [Int]) -> RankingReport {
        precondition(labels.count == scores.count, "one score per row")
        var sums = [Double](repeating: 0, count: metricNames.count)
        var counted = 0
        for query in 0..<(queryBoundaries.count - 1) {
            let rows = queryBoundaries[query]..<queryBoundaries[query + 1]
            let queryLabels = rows.map { Double(labels[$0]) }
            if skipQueriesWithoutRelevant && !queryLabels.contains(where: { $0 > relevanceThreshold }) { continue }
            for (index, value) in evaluateQuery(labels: queryLabels, scores: Array(scores[rows])).enumerated() {
                sums[index] += value
            }
            counted += 1
        }
        let values = zip(metricNames, sums).map { name, sum in
            MetricValue(name: name, value: counted > 0 ? sum / Double(counted) : 0)
        }
        return RankingReport(queries: counted, metrics: values)
    }
}

/// Mean metrics of a ranking over a data set's queries.
public struct RankingReport: Sendable, Equatable, Codable {
    /// Number of queries averaged over.
    public var queries: Int
    /// The metrics, in the evaluator's order.
    public var metrics: [MetricValue]

    /// Creates a report.
    public init(queries: Int, metrics: [MetricValue]) {
        self.queries = queries
        self.metrics = metrics
    }

    /// The value of a metric by name, e.g. `report["ndcg@10"]`.
    public subscript(name: String) -> Double? {
        metrics.first { $0.name == name }?.value
    }
}
