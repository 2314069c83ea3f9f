import Experiments
import Ranking
import RerankCore
import RerankJSON

/// What happened to one search response.
enum RerankOutcome: Sendable, Equatable {
    case reranked
    case skipped(String)
    case fallback(String)

    /// The `X-Rerank-Status` header value.
    var header: String {
        switch self {
        case .reranked: "reranked"
        case .skipped(let reason): "skipped: \(reason)"
        case .fallback(let reason): "fallback: \(reason)"
        }
    }

    /// The metrics label: `reranked`, `skipped` or `fallback`.
    var label: String {
        switch self {
        case .reranked: "reranked"
        case .skipped: "skipped"
        case .fallback: "fallback"
        }
    }
}

/// A hit as it was shown, for the impression log.
struct ShownHit: Sendable, Equatable {
    var id: String
    /// 0-based position in the engine's order.
    var originalRank: Int
    var searchScore: Double?
    /// The ranking that contributed the hit, when the search was interleaved.
    var team: Team?
}

/// One search response as it goes back to the client.
struct ServedResponse: Sendable {
    var bytes: [UInt8]
    var outcome: RerankOutcome
    /// The hits of the page in the order shown; nil when the response holds no hit list (an error).
    var shown: [ShownHit]?
    /// What exploration moved in the reranked window, when the search was explored.
    var exploration: ExplorationRecord?
}

/// Reranks one search response's window and cuts the client's page from it, failing open.
struct ResponseReranker: Sendable {
    var serving: ServingReranker
    /// Reranking not done within its budget sends the engine's order, at the deadline.
    var deadline: RankingDeadline
    /// Reads the fields the configured filters need, beside the rankers' own; nil when no filter reads a field.
    var filterFields: FieldSelector? = nil

    /// The response at `range` of `bytes` with its hits reranked and cut to `page`.
    ///
    /// When the serving reranker interleaves, the window is the team draft of both rerankers' orders, with coins
    /// from `interleavingSeed`, and each shown hit says which ranking contributed it; interleaved searches are not
    /// explored (the draft's coins are their randomization). Otherwise the reranker explores the search when its
    /// draws from `explorationSeed` say so. On any failure, and when the ranking is not done within the budget,
    /// the page is cut from the engine's order under the rules (excluded hits left out) and the outcome says why.
    /// Hits the request's `filters` refuse are left out on every one of these paths.
    func rerank(
        _ bytes: [UInt8],
        range: Range<Int>? = nil,
        page: SearchPlan.Page,
        sourceEdit: SourceEdit? = nil,
        context: SearchContext,
        filters: [ActiveFilter] = [],
        interleavingSeed: UInt64 = 0,
        explorationSeed: UInt64? = nil
    ) async -> ServedResponse {
        let window: ResponseWindow
        switch ResponseWindow.scan(bytes, range: range, page: page, sourceEdit: sourceEdit) {
        case .success(let scanned): window = scanned
        case .failure(let unreadable): return unreadable.served
        }
        let original = Array(window.layout.hits.indices)
        guard !original.isEmpty else { return window.cut(original, .reranked) }
        let layout = window.layout
        guard let ranked = await deadline.run({ [self] in
            Result { try rank(bytes, layout: layout, context: context, filters: filters, explorationSeed: explorationSeed) }
        }) else {
            return window.cut(ruled(bytes, layout: layout, context: context, filters: filters), .fallback("budget exceeded"))
        }
        switch ranked {
        case .success(let (result, treatment)):
            return window.cut(result, treatment: treatment, interleavingSeed: interleavingSeed)
        case .failure(let error):
            return window.cut(ruled(bytes, layout: layout, context: context, filters: filters), .fallback("ranker error: \(error)"))
        }
    }

    /// The engine's order under the rules and filters alone, so a fallback never shows an excluded hit.
    private func ruled(_ bytes: [UInt8], layout: SearchResponseLayout, context: SearchContext, filters: [ActiveFilter]) -> [Int] {
        serving.reranker.ruled(rankableHits(bytes, layout: layout, filters: filters), context: context, filters: filters).order
    }

    /// The serving reranker's result for the window's hits, and the treatment's when interleaving.
    private func rank(
        _ bytes: [UInt8], layout: SearchResponseLayout, context: SearchContext, filters: [ActiveFilter], explorationSeed: UInt64?
    ) throws -> (RerankResult, RerankResult?) {
        let hits = rankableHits(bytes, layout: layout, filters: filters)
        guard let interleaved = serving.interleaved else {
            return (try serving.reranker.rerank(hits, context: context, filters: filters, explorationSeed: explorationSeed), nil)
        }
        return (
            try serving.reranker.rerank(hits, context: context, filters: filters),
            try interleaved.rerank(hits, context: context, filters: filters)
        )
    }

    /// The window's hits with the fields the rankers and rules read, and those `filters` read.
    private func rankableHits(_ bytes: [UInt8], layout: SearchResponseLayout, filters: [ActiveFilter]) -> [RankableHit] {
        let filterFields = filters.contains { $0.field != nil } ? self.filterFields : nil
        return layout.hits.enumerated().map { rank, hit in
            var fields = hit.source.map { serving.selector.values(in: bytes, object: $0) } ?? [:]
            if let filterFields, let source = hit.source {
                for (path, value) in filterFields.values(in: bytes, object: source).present where fields[path] == nil {
                    fields[path] = value
                }
            }
            return RankableHit(id: hit.id ?? "", index: hit.index, searchScore: hit.score ?? 0, originalRank: rank, fields: fields)
        }
    }
}
