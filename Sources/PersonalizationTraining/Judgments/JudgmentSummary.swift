import Foundation

/// What a ``JudgmentList`` was made from and what it holds, for `rerank judgments`' report on standard error.
public struct JudgmentSummary: Sendable, Equatable {
    /// Searches with query text and shown items.
    public var searches: Int
    /// Of those, searches with at least one interaction joined to them.
    public var searchesWithInteractions: Int
    /// Distinct normalized queries among the searches.
    public var queries: Int
    public var join: ClickLog.JoinSummary
    /// Queries with at least one judgment.
    public var judgedQueries = 0
    /// Pairs judged.
    public var pairs = 0
    /// Pairs with some evidence but fewer impressions than ``JudgmentOptions/minImpressions``: not judged.
    public var skippedPairs = 0
    /// Pairs judged with each grade, from 0.
    public var gradeCounts: [Int] = []

    mutating func count(_ judgments: [Judgment], grades: Int, skippedPairs: Int) {
        pairs = judgments.count
        self.skippedPairs = skippedPairs
        judgedQueries = Set(judgments.map(\.query)).count
        gradeCounts = Array(repeating: 0, count: grades)
        for judgment in judgments { gradeCounts[judgment.grade] += 1 }
    }
}

extension JudgmentList {
    /// Lines for a person: what was read, how interactions joined, what was judged and the grades given.
    public func summaryText() -> String {
        let join = summary.join
        var lines = [
            "\(model.name) click model on \(summary.searches) searches of \(summary.queries) queries, "
                + "\(summary.searchesWithInteractions) with interactions",
            "interactions: \(join.joinedByQueryID) joined by query_id, \(join.attributed) credited to the client's recent search, "
                + "\(join.notShown) on items their search did not show, \(join.unmatched) matching no search",
            "judged \(summary.pairs) pairs of \(summary.judgedQueries) queries with at least \(options.minImpressions) \(countedImpressions)"
                + (model == .sdbn ? " (at or above the search's last interaction); " : "; ")
                + "\(summary.skippedPairs) pairs with fewer skipped",
            "grades (score thresholds \(thresholds.map(Self.number).joined(separator: ", "))): "
                + summary.gradeCounts.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: ", "),
        ]
        if case .coec(.propensities(let bias)) = model {
            let shown = bias.propensities.prefix(10).enumerated().map { "\($0.offset + 1): \(String(format: "%.2f", $0.element))" }
            lines.append("expected clicks from estimated position bias (relative to position 1): " + shown.joined(separator: ", "))
        }
        if join.duplicateRecords > 0 || join.withoutQueryText > 0 {
            lines.append(
                "left out: \(join.duplicateRecords) ubi_queries records whose query_id a later record reuses, "
                    + "\(join.withoutQueryText) searches without query text")
        }
        return lines.joined(separator: "\n")
    }

    /// What a pair's evidence counts: `examined impressions` (SDBN) or `impressions` (COEC).
    var countedImpressions: String { model == .sdbn ? "examined impressions" : "impressions" }

    /// A threshold as written on the command line: `0.1`, `1`, `2.5`.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
