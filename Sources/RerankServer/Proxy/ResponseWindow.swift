import Experiments
import Ranking
import RerankCore
import RerankJSON

/// One search response's scanned hits and the client's page of them: cuts the page from an order and splices it
/// back into the response.
struct ResponseWindow: Sendable {
    /// A response that has no hit list to rerank, served as the engine sent it.
    struct Unreadable: Error {
        let served: ServedResponse
    }

    let bytes: [UInt8]
    /// The response's part of `bytes` (one search of an msearch), or all of it.
    let range: Range<Int>?
    let layout: SearchResponseLayout
    let page: SearchPlan.Page
    let sourceEdit: SourceEdit?

    /// The window of the response at `range` of `bytes`, or the response as sent when it holds no hit list.
    static func scan(
        _ bytes: [UInt8], range: Range<Int>?, page: SearchPlan.Page, sourceEdit: SourceEdit?
    ) -> Result<ResponseWindow, Unreadable> {
        func unreadable(_ reason: String) -> Result<ResponseWindow, Unreadable> {
            .failure(Unreadable(served: ServedResponse(bytes: Array(bytes[range ?? 0..<bytes.count]), outcome: .fallback(reason), shown: nil)))
        }
        do {
            guard let layout = try HitScanner.scan(bytes, range: range) else { return unreadable("response has no hits") }
            return .success(ResponseWindow(bytes: bytes, range: range, layout: layout, page: page, sourceEdit: sourceEdit))
        } catch {
            return unreadable("unparseable response: \(error)")
        }
    }

    /// The page of `order` (indices into the window's hits) spliced into the response; `extras` are members
    /// appended to hits, `teams` the contributing ranking of each position when interleaved.
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

    /// The page in the reranked order, or in the team draft of `result` (control) and `treatment` when
    /// interleaving; hits on the page get the explanation of the ranking that placed them.
    func cut(_ result: RerankResult, treatment: RerankResult?, interleavingSeed: UInt64) -> ServedResponse {
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
        var served = cut(order, .reranked, extras, teams: teams)
        served.exploration = result.exploration
        return served
    }

    /// The hits of a response served as the engine ordered it, for the impression log.
    static func shownAsIs(_ bytes: [UInt8], range: Range<Int>? = nil) -> [ShownHit]? {
        guard let layout = try? HitScanner.scan(bytes, range: range) else { return nil }
        return layout.hits.enumerated().map { shown($1, rank: $0) }
    }

    private static func shown(_ hit: ScannedHit, rank: Int) -> ShownHit {
        ShownHit(id: hit.id ?? "", originalRank: rank, searchScore: hit.score)
    }

    /// `"_rerank":{...}`, the member explain adds to a hit.
    static func explainMember(_ explanation: HitExplanation, rank: Int) -> [UInt8] {
        var output: [UInt8] = Array(#""_rerank":"#.utf8)
        JSONWriter.write(.object(explanation.json(rank: rank)), into: &output)
        return output
    }
}

extension HitExplanation {
    /// What explain says of a hit ranked at `rank`: its engine rank and score, the model's score, the final
    /// score, the features and the rules that matched.
    func json(rank: Int) -> JSONObject {
        var object = JSONObject([
            "original_rank": .int(originalRank),
            "rank": .int(rank),
            "search_score": .double(searchScore),
        ])
        if let modelScore { object["model_score"] = .double(modelScore) }
        object["final_score"] = .double(finalScore)
        if !features.isEmpty {
            let features = features.sorted { $0.key < $1.key }
            object["features"] = .object(JSONObject(features.map { .init(key: $0.key, value: .double($0.value)) }))
        }
        if !rules.isEmpty { object["rules"] = .array(rules.map(JSONValue.string)) }
        return object
    }
}
