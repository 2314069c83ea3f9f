import Foundation
import Ranking
import RerankCore
import RerankJSON

/// Ranks the items of a ``RankRequest`` with a reranker: the sidecar's `POST /_rerank/rank` and `rerank batch`
/// share it, so a batch ranks as the service would.
public struct ItemRanker: Sendable {
    let serving: ServingReranker
    let contexts: ContextBuilder

    /// - Parameters:
    ///   - defaultTimeZone: the zone of requests that name none.
    ///   - now: the clock of the requests' local time.
    public init(reranker: Reranker, defaultTimeZone: String = "UTC", now: @escaping @Sendable () -> Date = Date.init) {
        self.init(serving: ServingReranker(reranker), contexts: ContextBuilder(defaultTimeZone: defaultTimeZone, now: now))
    }

    init(serving: ServingReranker, contexts: ContextBuilder) {
        self.serving = serving
        self.contexts = contexts
    }

    /// The request's context: its keys as `ext.rerank`, its query text.
    func context(of request: RankRequest, headers: ContextBuilder.Headers = .init()) throws(RerankError) -> SearchContext {
        var context = try contexts.context(headers: headers, extension: .object(request.rerank), field: "")
        context.query = request.query
        return context
    }

    /// The request's items reranked in `context`.
    func rank(_ request: RankRequest, context: SearchContext) throws -> RerankResult {
        try serving.reranker.rerank(request.hits(serving.selector), context: context)
    }

    /// The items in the list's order under the rules alone, excluded ones left out: what is served when reranking
    /// is off or fails.
    func ruled(_ request: RankRequest, context: SearchContext) -> RerankResult {
        serving.reranker.ruled(request.hits(serving.selector), context: context)
    }

    /// Ranks a request as a batch line: its context read and its items reranked, or the error that stopped it.
    public func answer(_ request: RankRequest) -> JSONObject {
        do {
            let context = try context(of: request)
            return RankAnswer(request: request, context: context, result: try rank(request, context: context), model: serving.version).json
        } catch let error as RerankError {
            return RankAnswer.failure(request.requestID, error.description)
        } catch {
            return RankAnswer.failure(request.requestID, "ranker error: \(error)")
        }
    }

    /// The answer to a batch line that is not a rank request: the reason, with its `request_id` when readable.
    public static func failure(_ line: [UInt8], _ error: RerankError) -> JSONObject {
        let requestID = (try? JSONParser.parse(line))?.objectValue?["request_id"]?.stringValue
        return RankAnswer.failure(requestID, error.description)
    }
}
