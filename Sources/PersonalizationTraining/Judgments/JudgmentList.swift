import EventLog
import Features

/// A graded relevance judgment of an item for a normalized query, from a click model.
public struct Judgment: Sendable, Equatable {
    /// The normalized query (``ClickLog/Search/query``).
    public var query: String
    public var item: String
    /// The click model's smoothed score (``ClickEvidence/score(prior:strength:)``).
    public var score: Double
    /// 0 up to the number of thresholds: how many of ``JudgmentList/thresholds`` the score reaches.
    public var grade: Int
    /// What the score is computed from.
    public var evidence: ClickEvidence
}

/// Judgments of (query, item) pairs fitted on a whole log by a click model: what `rerank judgments` writes as TREC
/// qrels (``writeTREC(keyedBy:to:)``) or as a Search Relevance Workbench import (``writeSRW(name:rating:to:)``).
///
/// ```swift
/// let judgments = try JudgmentList.make(from: try InteractionLogReader().read("logs"))
/// print(judgments.summaryText())
/// var qrels = ""
/// judgments.writeTREC(keyedBy: .queryID) { qrels += $0 }
/// ```
public struct JudgmentList: Sendable {
    public var model: ClickModel
    public var options: JudgmentOptions
    /// Grouped by query (queries in ascending order), each query's by decreasing score, then item id.
    public var judgments: [Judgment]
    /// Per normalized query, its spellings as typed, the most frequent first.
    public var spellings: [String: [String]]
    /// Per normalized query, the `query_id` of each of its searches, oldest first.
    public var searchIDs: [String: [String]]
    public var summary: JudgmentSummary

    /// Fits `options.model` on every search of `log` and grades each pair with enough evidence.
    ///
    /// - Parameters:
    ///   - log: the interaction log.
    ///   - items: item attributes, which only the position-bias estimate of COEC with
    ///     ``JudgmentOptions/ExpectedClicks/estimated`` reads (as features of relevance).
    ///   - options: the model, the minimum evidence, smoothing, gains and thresholds.
    /// - Throws: ``JudgmentError`` for invalid options and for logs that give no judgment.
    public static func make(
        from log: InteractionLog, items: [String: ItemAttributes] = [:], options: JudgmentOptions = JudgmentOptions()
    ) throws(JudgmentError) -> JudgmentList {
        try options.validate()
        let clicks = ClickLog(log: log, gains: options.gains)
        guard !clicks.searches.isEmpty else { throw .noSearches(withoutQueryText: clicks.join.withoutQueryText) }
        let withInteractions = clicks.searches.filter { $0.lastInteraction != nil }.count
        guard withInteractions > 0 else { throw .noInteractions(clicks.join) }
        let model = try clickModel(options, log: log, items: items)
        let evidence = model.evidence(clicks)
        let prior = ClickEvidence.average(of: evidence.values)
        let thresholds = options.gradeThresholds
        var judgments: [Judgment] = []
        for (pair, counted) in evidence where counted.impressions >= options.minImpressions {
            let score = counted.score(prior: prior, strength: options.smoothing)
            judgments.append(Judgment(
                query: pair.query, item: pair.item, score: score, grade: thresholds.filter { score >= $0 }.count, evidence: counted))
        }
        guard !judgments.isEmpty else {
            throw .nothingJudged(minImpressions: options.minImpressions, most: evidence.values.map(\.impressions).max() ?? 0)
        }
        judgments.sort { ($0.query, -$0.score, $0.item) < ($1.query, -$1.score, $1.item) }
        var summary = JudgmentSummary(
            searches: clicks.searches.count, searchesWithInteractions: withInteractions,
            queries: Set(clicks.searches.map(\.query)).count, join: clicks.join)
        summary.count(judgments, grades: thresholds.count + 1, skippedPairs: evidence.count - judgments.count)
        return JudgmentList(
            model: model, options: options, judgments: judgments, spellings: spellings(clicks), searchIDs: searchIDs(clicks),
            summary: summary)
    }

    /// The judgments of each judged query, in query order.
    public var byQuery: [(query: String, judgments: ArraySlice<Judgment>)] {
        var groups: [(String, ArraySlice<Judgment>)] = []
        var start = judgments.startIndex
        while start < judgments.endIndex {
            let query = judgments[start].query
            let end = judgments[start...].firstIndex { $0.query != query } ?? judgments.endIndex
            groups.append((query, judgments[start..<end]))
            start = end
        }
        return groups
    }

    /// The thresholds the grades were given by.
    public var thresholds: [Double] { options.gradeThresholds }

    /// The click model the options name, with COEC's position expectation resolved.
    private static func clickModel(
        _ options: JudgmentOptions, log: InteractionLog, items: [String: ItemAttributes]
    ) throws(JudgmentError) -> ClickModel {
        switch (options.model, options.expectedClicks) {
        case (.sdbn, _): return .sdbn
        case (.coec, .positionCTR): return .coec(.positionCTR)
        case (.coec, .estimated):
            var builder = TrainingSetBuilder()
            builder.gains = options.gains
            let set = builder.build(impressions: log.loggedImpressions(), events: log.loggedEvents(), attributes: items).set
            guard let bias = PositionBiasEstimator().estimate(set) else { throw .noPositionBias() }
            return .coec(.propensities(bias))
        }
    }

    private static func spellings(_ clicks: ClickLog) -> [String: [String]] {
        var counts: [String: [String: Int]] = [:]
        for search in clicks.searches { counts[search.query, default: [:]][search.text, default: 0] += 1 }
        return counts.mapValues { texts in texts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key) }
    }

    private static func searchIDs(_ clicks: ClickLog) -> [String: [String]] {
        var ids: [String: [String]] = [:]
        for search in clicks.searches { ids[search.query, default: []].append(search.queryID) }
        return ids
    }
}
