import EventLog
import Experiments
import Foundation
import Hummingbird
import Ranking
import RerankCore
import RerankJSON

extension ProxyController {
    /// `POST /_rerank/rank`: ranks a list of items for a person in context, without a search (category pages,
    /// recommendations, carousels), with the served model and rules, like a search's hits. The answer is
    /// ``RankAnswer``; the ranked list is logged as an impression with a query id, so events join it, and it
    /// updates the online state as a search does.
    ///
    /// With reranking off (`rerank.enabled: false`), or when the ranker fails or misses `rerank.budget_ms`, the
    /// items come back in the list's order, under the rules (excluded items are never returned), and the status
    /// says why. Filters (`rerank.filters`) hold on every one of these paths. Experiments assign searches, not rank requests: these always get the served model, or, with an `index` an
    /// `indices` entry matches, the entry's reranker, enabled setting, budget and statistics.
    func rank(_ request: Request) async throws(RerankError) -> Response {
        try checkContentType(request)
        var request = request
        let body = try await decodedBody(&request)
        let rankRequest = try RankRequest(parsing: Array(buffer: body), maxItems: planner.maxWindow)
        let scope = indices.scope(for: rankRequest.index)
        let snapshot = rerankers.snapshot
        let serving = scope.map { snapshot.indices[$0.position] } ?? snapshot.serving
        let ranker = ItemRanker(serving: serving, contexts: contexts, filters: filters, history: history)
        let context = try ranker.context(of: rankRequest, headers: headers(of: request))
        let active = try ranker.filters(of: rankRequest, context: context)
        let (result, outcome) = await ranked(
            rankRequest, context: context, filters: active, by: ranker, enabled: scope?.rerankingEnabled ?? rerankingEnabled,
            deadline: scope?.deadline ?? deadline)
        metrics.rankRequest(outcome)
        let queryID = ImpressionRecord.newQueryID()
        let model = (outcome == .reranked ? ranker.serving.version : "none") + (scope.map { "@\($0.name)" } ?? "")
        let answer = RankAnswer(
            request: rankRequest, context: context, result: result, model: model, status: outcome.header, queryID: queryID)
        let shown = answer.shown
        observe(shown, queryID: queryID, query: rankRequest.query, from: 0, context: context, into: scope.map(\.online) ?? online)
        if let apart = scope?.apartSearches, !shown.isEmpty { apart.insert(queryID) }
        impressions?.record(ImpressionRecord.make(
            queryID: queryID, timestamp: now(), index: rankRequest.index, userQuery: rankRequest.query, context: context, from: 0,
            size: rankRequest.items.count, outcome: outcome, shown: shown, model: model,
            experiment: ExperimentTag(experiment: nil, variant: Assignment.outside), exploration: nil, indexConfig: scope?.name))
        return Response(
            status: .ok,
            headers: [.contentType: "application/json", .rerankStatus: outcome.header, .rerankModel: model, .rerankQueryID: queryID],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(.object(answer.json)))))
    }

    /// The items ranked within the budget, or under the rules alone in the list's order, and what happened;
    /// items `filters` refuse are left out either way.
    private func ranked(
        _ request: RankRequest, context: SearchContext, filters: [ActiveFilter], by ranker: ItemRanker, enabled: Bool,
        deadline: RankingDeadline
    ) async -> (RerankResult, RerankOutcome) {
        let ruled = { ranker.ruled(request, context: context, filters: filters) }
        guard enabled else { return (ruled(), .skipped("reranking disabled")) }
        switch await deadline.run({ Result { try ranker.rank(request, context: context, filters: filters) } }) {
        case .success(let result)?: return (result, .reranked)
        case .failure(let error)?: return (ruled(), .fallback("ranker error: \(error)"))
        case nil: return (ruled(), .fallback("budget exceeded"))
        }
    }
}
