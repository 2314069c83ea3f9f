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
}

/// Reranks one search response's window and cuts the client's page from it, failing open.
struct ResponseReranker: Sendable {
    var serving: ServingReranker
    /// Reranking that takes longer returns the engine's order instead.
    var budget: Duration

    /// The response at `range` of `bytes` with its hits reranked and cut to `page`.
    ///
    /// When the serving reranker interleaves, the window is the team draft of both rerankers' orders, with coins
    /// from `interleavingSeed`, and each shown hit says which ranking contributed it. On any failure the page is
    /// cut from the engine's order and the outcome says why.
    func rerank(
        _ bytes: [UInt8],
        range: Range<Int>? = nil,
        page: SearchPlan.Page,
        sourceEdit: SourceEdit? = nil,
        context: SearchContext,
        interleavingSeed: UInt64 = 0
    ) -> ServedResponse {
        let layout: SearchResponseLayout
        do {
            guard let scanned = try HitScanner.scan(bytes, range: range) else {
                return ServedResponse(bytes: Array(bytes[range ?? 0..<bytes.count]), outcome: .fallback("response has no hits"), shown: nil)
            }
            layout = scanned
        } catch {
            return ServedResponse(
                bytes: Array(bytes[range ?? 0..<bytes.count]), outcome: .fallback("unparseable response: \(error)"), shown: nil
            )
        }
        let original = Array(layout.hits.indices)
        func cut(_ order: [Int], _ outcome: RerankOutcome, _ extras: [Int: [UInt8]] = [:], teams: [Team]? = nil) -> ServedResponse {
            let pageRange = min(page.from, order.count)..<min(page.from + page.size, order.count)
            let pageOrder = Array(order[pageRange])
            let emitted = pageOrder.map { index in
                let hit = layout.hits[index]
                return ResponseSplicer.Emitted(
                    hit: index,
                    bytes: sourceEdit?.apply(bytes, hit: hit.range, source: hit.source),
                    appendedMember: extras[index]
                )
            }
            return ServedResponse(
                bytes: ResponseSplicer.splice(bytes, range: range, layout: layout, emitted: emitted),
                outcome: outcome,
                shown: zip(pageRange, pageOrder).map { position, index in
                    var shown = Self.shown(layout.hits[index], rank: index)
                    shown.team = teams?[position]
                    return shown
                }
            )
        }
        guard !layout.hits.isEmpty else { return cut(original, .reranked) }

        let clock = ContinuousClock()
        let start = clock.now
        let hits = rankableHits(bytes, layout: layout)
        let result: RerankResult
        var treatment: RerankResult?
        do {
            result = try serving.reranker.rerank(hits, context: context)
            treatment = try serving.interleaved?.rerank(hits, context: context)
        } catch {
            return cut(original, .fallback("ranker error: \(error)"))
        }
        guard clock.now - start <= budget else {
            return cut(original, .fallback("budget exceeded"))
        }
        var order = result.order
        var teams: [Team]?
        if let treatment {
            let shown = TeamDraft.interleave(control: result.order, treatment: treatment.order, seed: interleavingSeed)
            order = shown.map(\.item)
            teams = shown.map(\.team)
        }
        var extras: [Int: [UInt8]] = [:]
        for (position, index) in order.enumerated().dropFirst(page.from).prefix(page.size) {
            let explaining = teams?[position] == .treatment ? treatment : result
            guard let explanation = explaining?.explanations?[index] else { continue }
            extras[index] = Self.explainMember(explanation, rank: position)
        }
        return cut(order, .reranked, extras, teams: teams)
    }

    /// The hits of a response served as the engine ordered it, for the impression log.
    static func shownAsIs(_ bytes: [UInt8], range: Range<Int>? = nil) -> [ShownHit]? {
        guard let layout = try? HitScanner.scan(bytes, range: range) else { return nil }
        return layout.hits.enumerated().map { shown($1, rank: $0) }
    }

    private static func shown(_ hit: ScannedHit, rank: Int) -> ShownHit {
        ShownHit(id: hit.id ?? "", originalRank: rank, searchScore: hit.score)
    }

    private func rankableHits(_ bytes: [UInt8], layout: SearchResponseLayout) -> [RankableHit] {
        layout.hits.enumerated().map { rank, hit in
            RankableHit(
                id: hit.id ?? "",
                index: hit.index,
                searchScore: hit.score ?? 0,
                originalRank: rank,
                fields: hit.source.map { serving.selector.values(in: bytes, object: $0) } ?? [:]
            )
        }
    }

    /// `"_rerank":{...}`, the member explain adds to a hit.
    static func explainMember(_ explanation: HitExplanation, rank: Int) -> [UInt8] {
        var object = JSONObject([
            "original_rank": .int(explanation.originalRank),
            "rank": .int(rank),
            "search_score": .double(explanation.searchScore),
        ])
        if let model = explanation.modelScore { object["model_score"] = .double(model) }
        object["final_score"] = .double(explanation.finalScore)
        if !explanation.features.isEmpty {
            let features = explanation.features.sorted { $0.key < $1.key }
            object["features"] = .object(JSONObject(features.map { .init(key: $0.key, value: .double($0.value)) }))
        }
        if !explanation.rules.isEmpty { object["rules"] = .array(explanation.rules.map(JSONValue.string)) }
        var output: [UInt8] = Array(#""_rerank":"#.utf8)
        JSONWriter.write(.object(object), into: &output)
        return output
    }
}
