import Experiments
import Features
import Foundation
import Personalization
import Ranking
import RerankConfiguration
import RerankCore
import RerankJSON

/// A search made ready to forward, once per search and per entry of an msearch: the rewritten plan, the
/// request context and the experiment arm that serves it.
struct PreparedSearch: Sendable {
    let plan: SearchPlan
    let context: SearchContext
    let route: ExperimentRoute
    /// The request's filters, which reranking applies again to the hits that come back.
    var filters: [ActiveFilter] = []
    /// The `indices` entry serving the search; nil for the `rerank` section.
    var scope: IndexScope? = nil
}

extension ProxyController {
    /// Plans a search body, builds its context and filters and assigns its experiment arm; a search its arm does
    /// not rerank is planned to go upstream as the client sent it, but with what must never be returned left out
    /// (``ExclusionFilter``); a reranked one goes with its filters only (the reranker drops the rest).
    ///
    /// A search on the indices of an `indices` entry (`index`: the expression its path or msearch header names) is
    /// served by the entry's reranker, window, budget and live statistics, outside every experiment.
    ///
    /// - Throws: ``RerankError`` (400) for a bad body, `ext.rerank`, `X-Rerank-*` header or variant override.
    func prepare(
        _ body: [UInt8], query: String?, headers: ContextBuilder.Headers, override: String?,
        snapshot: RerankerStore.Snapshot, index: String? = nil
    ) throws(RerankError) -> PreparedSearch {
        let scope = indices.scope(for: index)
        let arm = scope.map { snapshot.indices[$0.position] }
        let rules = (arm ?? snapshot.serving).reranker.rules
        func planned() throws(RerankError) -> SearchPlan {
            var fields = arm?.fields ?? snapshot.fields
            for field in filters.fields where !fields.contains(field) { fields.append(field) }
            return try (scope?.planner ?? planner).plan(body: body, query: query, fields: fields)
        }
        // A body that cannot hold `ext` (``SearchPlanner/mayHaveExtension(_:)``) gives the context without being
        // parsed; it is parsed once the search turns out to need it.
        let parsedFirst = impressions != nil || filters.applyUnnamed || SearchPlanner.mayHaveExtension(body)
        let early = parsedFirst ? try planned() : nil
        var context = try contexts.context(headers: headers, extension: early?.rerankExtension)
        if early == nil,
            let unread = try unreadSearch(query: query, context: context, override: override, snapshot: snapshot, scope: scope, rules: rules)
        {
            return unread
        }
        var plan: SearchPlan
        if let early { plan = early } else { plan = try planned() }
        context.query = plan.userQuery
        let active = try filters.resolve(FilterRequest(plan.rerankExtension), context: context, history: history)
        let route = try self.route(context: context, override: override, snapshot: snapshot, scope: scope)
        if let reason = route.skipReason { plan = plan.withoutReranking(reason) }
        let reranked = plan.page != nil
        if let exclusion = ExclusionFilter(
            rules: reranked ? [] : rules, excludedIDs: reranked ? [] : context.excludedIDs, filters: active)
        {
            (plan.body, plan.query) = try exclusion.applied(to: plan.body ?? body, query: plan.query)
        }
        return PreparedSearch(plan: plan, context: context, route: route, filters: active, scope: scope)
    }

    /// A search that goes upstream as the client sent it, its body unread: one nothing is done to.
    ///
    /// `prepare` asks only when no impression is logged, no filter applies without being named and the body
    /// cannot hold an `ext` section; then the search goes unread when its arm does not rerank it and no exclude
    /// rule leaves anything out. The cluster answers a malformed body itself. Nil for every other search, which is
    /// planned.
    private func unreadSearch(
        query: String?, context: SearchContext, override: String?, snapshot: RerankerStore.Snapshot,
        scope: IndexScope?, rules: [BusinessRule]
    ) throws(RerankError) -> PreparedSearch? {
        let route = try self.route(context: context, override: override, snapshot: snapshot, scope: scope)
        guard let reason = route.skipReason, ExclusionFilter(rules: rules, excludedIDs: context.excludedIDs) == nil else {
            return nil
        }
        return PreparedSearch(plan: SearchPlan(query: query, skipReason: reason), context: context, route: route, scope: scope)
    }

    /// The experiment arm that serves a search, or its `indices` entry's reranker.
    private func route(
        context: SearchContext, override: String?, snapshot: RerankerStore.Snapshot, scope: IndexScope?
    ) throws(RerankError) -> ExperimentRoute {
        if let scope {
            return try ExperimentRoute(
                index: snapshot.indices[scope.position], name: scope.name, enabled: scope.rerankingEnabled, override: override)
        }
        return try ExperimentRoute(snapshot, context: context, override: override, rerankingEnabled: rerankingEnabled)
    }

    /// Counts a search by the index config that served it, when `indices` entries are configured.
    func countByIndex(_ outcome: RerankOutcome, _ search: PreparedSearch) {
        guard !indices.isEmpty else { return }
        metrics.indexSearch(outcome, indexConfig: search.scope?.name ?? RerankConfiguration.ServerConfiguration.defaultIndexConfig)
    }

    /// Whether serving a search reads its response: to rerank it, or to log what was shown (which also feeds the
    /// online state and gives the search its query id). A search that reads nothing is handed on as it arrives.
    func readsResponse(of plan: SearchPlan) -> Bool {
        plan.page != nil || impressions != nil
    }

    /// Serves one search's response (`range` of `bytes`, or all of it): reranked as planned or as the engine
    /// sent it (explored when the arm's exploration draws so from the query id), folded into the online state,
    /// logged as an impression, and given its query id.
    func serve(
        _ bytes: [UInt8], range: Range<Int>?, _ search: PreparedSearch, index: String?
    ) async -> (bytes: [UInt8], outcome: RerankOutcome, queryID: String?, exploration: ExplorationRecord?) {
        let queryID = ImpressionRecord.newQueryID()
        let clock = ContinuousClock()
        let start = clock.now
        var served = await rerank(bytes, range: range, search, queryID: queryID)
        metrics.rerank(served.outcome, duration: clock.now - start)
        countByIndex(served.outcome, search)
        if served.exploration != nil { metrics.explored() }
        observe(
            served.shown, queryID: queryID, query: search.plan.userQuery, from: search.plan.from ?? 0, context: search.context,
            into: search.scope.map(\.online) ?? online)
        if let apart = search.scope?.apartSearches, served.shown?.isEmpty == false { apart.insert(queryID) }
        guard let impressions, let shown = served.shown else { return (served.bytes, served.outcome, nil, served.exploration) }
        impressions.record(
            impression(search, queryID: queryID, index: index, outcome: served.outcome, shown: shown, exploration: served.exploration))
        if search.context.returnQueryID { served.bytes = Self.appendingQueryID(queryID, to: served.bytes) }
        return (served.bytes, served.outcome, queryID, served.exploration)
    }

    /// The seed of a search's exploration draws: a hash of its query id, so whether a logged search was explored,
    /// and how, can be recomputed from the log.
    static func explorationSeed(queryID: String) -> UInt64 {
        StableBucket.hash(salt: "exploration", id: queryID)
    }

    /// The response in the arm's order when the plan reranks it, else as the engine sent it (with the shown
    /// hits only when impressions are logged: keep ``readsResponse(of:)`` in step).
    private func rerank(_ bytes: [UInt8], range: Range<Int>?, _ search: PreparedSearch, queryID: String) async -> ServedResponse {
        let plan = search.plan
        guard let page = plan.page else {
            return ServedResponse(
                bytes: Array(bytes[range ?? 0..<bytes.count]),
                outcome: .skipped(plan.skipReason ?? "not reranked"),
                shown: impressions == nil ? nil : ResponseWindow.shownAsIs(bytes, range: range)
            )
        }
        return await ResponseReranker(serving: search.route.serving, deadline: search.scope?.deadline ?? deadline, filterFields: filters.selector).rerank(
            bytes, range: range, page: page, sourceEdit: plan.sourceEdit, context: search.context, filters: search.filters,
            interleavingSeed: search.route.interleavingSeed, explorationSeed: Self.explorationSeed(queryID: queryID))
    }

    /// Queues what was shown, from absolute position `from` on, for the live feature statistics; applied off the
    /// request path.
    func observe(
        _ shown: [ShownHit]?, queryID: String, query: String, from: Int, context: SearchContext, into online: OnlineStateService?
    ) {
        if let online, let shown, !shown.isEmpty {
            online.submit(
                LoggedImpression(
                    queryID: queryID, time: context.time, userID: context.userID, sessionID: context.sessionID,
                    device: context.device, localTime: context.localTime, query: query, items: shown.map(\.id),
                    firstPosition: from, attributes: context.attributes
                )
            )
        }
    }

    /// The `ubi_queries` record of a served search.
    private func impression(
        _ search: PreparedSearch, queryID: String, index: String?, outcome: RerankOutcome, shown: [ShownHit],
        exploration: ExplorationRecord?
    ) -> JSONObject {
        let plan = search.plan
        return ImpressionRecord.make(
            queryID: queryID, timestamp: now(), index: index, userQuery: plan.userQuery, context: search.context,
            from: plan.from, size: plan.page?.size, outcome: outcome, shown: shown,
            model: search.route.model, experiment: search.route.tag(shown: shown), exploration: exploration,
            indexConfig: search.scope?.name
        )
    }

    /// The response with `"ext":{"rerank":{"query_id":...}}` appended as its last member.
    static func appendingQueryID(_ queryID: String, to bytes: [UInt8]) -> [UInt8] {
        var member = Array(#""ext":{"rerank":{"query_id":"#.utf8)
        JSONWriter.writeString(queryID, into: &member)
        member += Array("}}".utf8)
        return ResponseSplicer.appendingMember(member, to: bytes)
    }
}
