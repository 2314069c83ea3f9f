import Ranking
import RerankCore
import RerankJSON

/// The answer to one rank request: the items in ranked order with their scores.
///
/// ```json
/// {"request_id": "carousel-7", "query_id": "…", "model": "model-3f2a", "status": "reranked",
///  "items": [{"id": "sku-2", "rank": 0, "score": 0.93}, {"id": "sku-1", "rank": 1, "score": 0.41}]}
/// ```
/// Excluded items are left out; with `explain` each item carries `_rerank` as a search hit does, and `excluded`
/// lists the items left out with what left them out (`{"id": "sku-3", "rules": ["filter(no_repurchase)"]}`).
struct RankAnswer {
    let request: RankRequest
    let result: RerankResult
    let status: String
    let model: String
    var queryID: String?
    let explain: Bool

    init(request: RankRequest, context: SearchContext, result: RerankResult, model: String, status: String = "reranked", queryID: String? = nil) {
        self.request = request
        self.result = result
        self.status = status
        self.model = model
        self.queryID = queryID
        explain = context.explain
    }

    /// The items as shown, for the impression log and the online state.
    var shown: [ShownHit] {
        result.order.map { index in
            ShownHit(id: request.items[index].id, originalRank: index, searchScore: request.items[index].score)
        }
    }

    var json: JSONObject {
        var object = JSONObject()
        if let requestID = request.requestID { object["request_id"] = .string(requestID) }
        if let queryID { object["query_id"] = .string(queryID) }
        object["model"] = .string(model)
        object["status"] = .string(status)
        object["items"] = .array(result.order.enumerated().map { rank, index in
            var item = JSONObject(["id": .string(request.items[index].id), "rank": .int(rank), "score": .double(result.scores[index])])
            if explain, let explanation = result.explanations?[index] { item["_rerank"] = .object(explanation.json(rank: rank)) }
            return .object(item)
        })
        if explain, let explanations = result.explanations {
            let shown = Set(result.order)
            object["excluded"] = .array(request.items.indices.filter { !shown.contains($0) }.map { index in
                .object(JSONObject([
                    "id": .string(request.items[index].id), "rules": .array(explanations[index].rules.map(JSONValue.string)),
                ]))
            })
        }
        return object
    }

    /// A batch line's answer when its request could not be ranked.
    static func failure(_ requestID: String?, _ message: String) -> JSONObject {
        var object = JSONObject()
        if let requestID { object["request_id"] = .string(requestID) }
        object["error"] = .string(message)
        return object
    }
}
