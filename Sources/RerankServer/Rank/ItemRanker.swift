import Foundation
import Ranking
import RerankCore
import RerankJSON

/// Ranks the items of a ``RankRequest`` with a reranker: the sidecar's `POST /_rerank/rank` and `rerank batch`
/// share it, so a batch ranks as the service would.
public struct ItemRanker: Sendable {
    let serving: ServingReranker
    let contexts: ContextBuilder
    let filters: FilterSet
    /// The events history filters read; nil (as in `rerank batch`) makes them hold nothing.
    let history: FilterHistory?

    /// - Parameters:
    ///   - filters: the configured filters; requests name theirs and fill placeholders as searches do.
    ///   - defaultTimeZone: the zone of requests that name none.
    ///   - now: the clock of the requests' local time.
    public init(
        reranker: Reranker, filters: FilterSet = FilterSet(), defaultTimeZone: String = "UTC",
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.init(
            serving: ServingReranker(reranker), contexts: ContextBuilder(defaultTimeZone: defaultTimeZone, now: now), filters: filters,
            history: nil)
    }

    init(serving: ServingReranker, contexts: ContextBuilder, filters: FilterSet, history: FilterHistory?) {
        self.serving = serving
        self.contexts = contexts
        self.filters = filters
        self.history = history
    }

    /// The request's context: its keys as `ext.rerank`, its query text.
    func context(of request: RankRequest, headers: ContextBuilder.Headers = .init()) throws(RerankError) -> SearchContext {
        var context = try contexts.context(headers: headers, extension: .object(request.rerank), field: "")
        context.query = request.query
        return context
    }

    /// The request's filters (`filters`, `filter_values` and the `always` ones) in `context`.
    func filters(of request: RankRequest, context: SearchContext) throws(RerankError) -> [ActiveFilter] {
        try filters.resolve(FilterRequest(.object(request.rerank), prefix: ""), context: context, history: history)
    }

    /// The request's items reranked in `context`, those `filters` refuse left out.
    func rank(_ request: RankRequest, context: SearchContext, filters: [ActiveFilter]) throws -> RerankResult {
        try serving.reranker.rerank(hits(request, filters: filters), context: context, filters: filters)
    }

    /// The items in the list's order under the rules alone, excluded and filtered ones left out: what is served
    /// when reranking is off or fails.
    func ruled(_ request: RankRequest, context: SearchContext, filters: [ActiveFilter]) -> RerankResult {
        serving.reranker.ruled(hits(request, filters: filters), context: context, filters: filters)
    }

    /// The items as hits, with the fields the rankers, rules and `filters` read.
    private func hits(_ request: RankRequest, filters active: [ActiveFilter]) -> [RankableHit] {
        var hits = request.hits(serving.selector)
        guard active.contains(where: { $0.field != nil }) else { return hits }
        for (index, filtered) in request.hits(filters.selector).enumerated() {
            for (path, value) in filtered.fields.present where hits[index].fields[path] == nil { hits[index].fields[path] = value }
        }
        return hits
    }

    /// Ranks a request as a batch line: its context and filters read and its items reranked, or the error that
    /// stopped it.
    public func answer(_ request: RankRequest) -> JSONObject {
        do {
            let context = try context(of: request)
            let filters = try filters(of: request, context: context)
            let result = try rank(request, context: context, filters: filters)
            return RankAnswer(request: request, context: context, result: result, model: serving.version).json
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
