/// Logs or options that give no judgments, with what to do about it.
public struct JudgmentError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case invalidOption
        case noSearches
        case noInteractions
        case nothingJudged
        case noPositionBias
    }

    private let code: Code
    /// What went wrong and what to do about it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Errors of the same kind are equal, whatever their message (as ``TrainingError``).
    public static func == (lhs: JudgmentError, rhs: JudgmentError) -> Bool { lhs.code == rhs.code }

    static func invalidOption(_ message: String) -> JudgmentError { .init(.invalidOption, message) }

    static func noSearches(withoutQueryText: Int) -> JudgmentError {
        .init(
            .noSearches,
            "the logs hold no searches with query text and shown results (\(withoutQueryText) searches have no user_query): "
                + "ubi_queries need user_query and query_response_hit_ids (or impression events with positions)")
    }

    static func noInteractions(_ join: ClickLog.JoinSummary) -> JudgmentError {
        .init(
            .noInteractions,
            "no click, add-to-cart or purchase in the logs joins a search with query text (\(join.notShown) name a search "
                + "that did not show their item, \(join.unmatched) match no search): judgments are made from interactions; "
                + "send them with the query_id of their search to POST /_rerank/events")
    }

    static func nothingJudged(minImpressions: Int, most: Int) -> JudgmentError {
        .init(
            .nothingJudged,
            "no (query, item) pair has \(minImpressions) impressions that count as evidence (the most any pair has is \(most)); "
                + "lower --min-impressions or judge a longer log")
    }

    static func noPositionBias() -> JudgmentError {
        .init(
            .noPositionBias,
            "position bias cannot be estimated from these logs (no clicks below the first position of a search with "
                + "clicks); use --expected-clicks position-ctr")
    }
}
