import Features
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Personalization
import Ranking
import RerankCore
import RerankJSON

/// Serves every cluster-bound request: searches are reranked, other allowed requests pass through untouched.
struct ProxyController: Sendable {
    let upstream: UpstreamClient
    let planner: SearchPlanner
    /// `rerank.enabled`: false serves searches outside every experiment in the engine's order.
    let rerankingEnabled: Bool
    let contexts: ContextBuilder
    let rerankers: RerankerStore
    let budget: Duration
    let policy: PassthroughPolicy
    let maxRequestBody: Int
    /// How long a request body may take to arrive.
    let bodyTimeout: Duration
    let metrics: ProxyMetrics
    /// Where impressions go; nil when logging is off.
    let impressions: ImpressionLog?
    /// The served model's statistics, which every served search updates; nil without a model.
    /// Where served searches go to update the live feature statistics; nil without a model.
    let online: OnlineStateService?
    let now: @Sendable () -> Date

    /// What kind of request a path is.
    enum Route: String {
        case search
        case multiSearch = "msearch"
        case passthrough

        init(method: HTTPRequest.Method, path: String) {
            let segments = path.split(separator: "/", omittingEmptySubsequences: true)
            guard method == .get || method == .post, (1...2).contains(segments.count), let last = segments.last,
                segments.count == 1 || !segments[0].hasPrefix("_") || segments[0] == "_all"
            else {
                self = .passthrough
                return
            }
            switch last {
            case "_search": self = .search
            case "_msearch": self = .multiSearch
            default: self = .passthrough
            }
        }
    }

    func handle(_ request: Request, context: some RequestContext) async -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let route = Route(method: request.method, path: request.uri.path)
        var response: Response
        do {
            switch route {
            case .search: response = try await search(request)
            case .multiSearch: response = try await multiSearch(request)
            case .passthrough: response = try await passthrough(request)
            }
        } catch {
            context.logger.warning("\(request.method) \(request.uri.path): \(error)")
            response = error.response()
        }
        metrics.request(route: route.rawValue, status: response.status.code, duration: clock.now - start)
        return response
    }

    private func passthrough(_ request: Request) async throws(RerankError) -> Response {
        guard policy.allows(request.method, path: request.uri.path) else {
            throw .forbiddenWrite(method: request.method.rawValue, path: request.uri.path)
        }
        var request = request
        let body = try await collectBody(&request)
        let upstreamResponse = try await forward(
            request, route: .passthrough, target: request.uri.string, body: body.readableBytes > 0 ? body : nil,
            acceptEncoding: true
        )
        return Response(
            status: .init(code: upstreamResponse.status),
            headers: ProxyHeaders.downstream(upstreamResponse.headers),
            body: .init(byteBuffer: upstreamResponse.body)
        )
    }

    private func search(_ request: Request) async throws(RerankError) -> Response {
        try checkContentType(request)
        var request = request
        let body = try await decodedBody(&request)
        let bytes = Array(buffer: body)
        let snapshot = rerankers.snapshot
        var plan = try planner.plan(body: bytes, query: request.uri.query, fields: snapshot.fields)
        var searchContext = try contexts.context(headers: headers(of: request), extension: plan.rerankExtension)
        searchContext.query = plan.userQuery
        let route = try ExperimentRoute(
            snapshot, context: searchContext, override: request.headers[.rerankVariantOverride], rerankingEnabled: rerankingEnabled)
        if let reason = route.skipReason { plan = plan.withoutReranking(reason) }
        let target = request.uri.path + (plan.query.map { "?\($0)" } ?? "")
        let forwardBody = plan.body.map { ByteBuffer(bytes: $0) } ?? (bytes.isEmpty ? nil : body)
        let upstreamResponse = try await forward(
            request, route: .search, target: target, body: forwardBody, acceptEncoding: false,
            method: forwardBody == nil ? request.method : .post
        )
        var headers = ProxyHeaders.downstream(upstreamResponse.headers)
        headers[.rerankModel] = route.model
        headers[.rerankVariant] = route.variant
        if let experiment = route.assignment?.experiment.name { headers[.rerankExperiment] = experiment }
        guard upstreamResponse.status == 200 else {
            headers[.rerankStatus] = RerankOutcome.skipped("upstream status \(upstreamResponse.status)").header
            return Response(status: .init(code: upstreamResponse.status), headers: headers, body: .init(byteBuffer: upstreamResponse.body))
        }
        let served = serve(
            Array(buffer: upstreamResponse.body), range: nil, plan: plan, context: searchContext, route: route,
            index: Self.index(path: request.uri.path)
        )
        headers[.rerankStatus] = served.outcome.header
        if let queryID = served.queryID { headers[.rerankQueryID] = queryID }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: served.bytes)))
    }

    /// Serves one search's response: reranked as planned or as the engine sent it, and logged as an impression.
    private func serve(
        _ bytes: [UInt8],
        range: Range<Int>?,
        plan: SearchPlan,
        context: SearchContext,
        route: ExperimentRoute,
        index: String?
    ) -> (bytes: [UInt8], outcome: RerankOutcome, queryID: String?) {
        let clock = ContinuousClock()
        let start = clock.now
        var served: ServedResponse
        if let page = plan.page {
            served = ResponseReranker(serving: route.serving, budget: budget).rerank(
                bytes, range: range, page: page, sourceEdit: plan.sourceEdit, context: context,
                interleavingSeed: route.interleavingSeed)
        } else {
            served = ServedResponse(
                bytes: Array(bytes[range ?? 0..<bytes.count]),
                outcome: .skipped(plan.skipReason ?? "not reranked"),
                shown: impressions == nil ? nil : ResponseReranker.shownAsIs(bytes, range: range)
            )
        }
        metrics.rerank(served.outcome, duration: clock.now - start)
        let queryID = ImpressionRecord.newQueryID()
        if let online, let shown = served.shown, !shown.isEmpty {
            online.submit(
                LoggedImpression(
                    queryID: queryID, time: context.time, userID: context.userID, sessionID: context.sessionID,
                    device: context.device, localTime: context.localTime, query: plan.userQuery, items: shown.map(\.id)
                )
            )
        }
        guard let impressions, let shown = served.shown else { return (served.bytes, served.outcome, nil) }
        impressions.record(
            ImpressionRecord.make(
                queryID: queryID, timestamp: now(), index: index, userQuery: plan.userQuery, context: context,
                page: plan.page.map { ($0.from, $0.size) }, outcome: served.outcome, shown: shown,
                model: route.model, experiment: route.tag(shown: shown)
            )
        )
        if context.returnQueryID {
            var member = Array(#""ext":{"rerank":{"query_id":"#.utf8)
            JSONWriter.writeString(queryID, into: &member)
            member += Array("}}".utf8)
            served.bytes = ResponseSplicer.appendingMember(member, to: served.bytes)
        }
        return (served.bytes, served.outcome, queryID)
    }

    /// The index a search path names, e.g. `products` for `/products/_search`.
    static func index(path: String) -> String? {
        let segments = path.split(separator: "/")
        guard segments.count == 2, !segments[0].hasPrefix("_") || segments[0] == "_all" else { return nil }
        return String(segments[0])
    }

    private func multiSearch(_ request: Request) async throws(RerankError) -> Response {
        try checkContentType(request)
        var request = request
        let body = try await decodedBody(&request)
        let searches = try MultiSearchBody.parse(Array(buffer: body))
        let requestHeaders = headers(of: request)
        let snapshot = rerankers.snapshot
        var plans: [SearchPlan] = []
        var contexts: [SearchContext] = []
        var routes: [ExperimentRoute] = []
        for search in searches {
            var plan = try planner.plan(body: search.body, query: nil, fields: snapshot.fields)
            var context = try self.contexts.context(headers: requestHeaders, extension: plan.rerankExtension)
            context.query = plan.userQuery
            let route = try ExperimentRoute(
                snapshot, context: context, override: request.headers[.rerankVariantOverride], rerankingEnabled: rerankingEnabled)
            if let reason = route.skipReason { plan = plan.withoutReranking(reason) }
            plans.append(plan)
            contexts.append(context)
            routes.append(route)
        }
        let forwardBody = MultiSearchBody.encode(zip(searches, plans).map { ($0.header, $1.body ?? $0.body) })
        let upstreamResponse = try await forward(
            request, route: .multiSearch, target: request.uri.string, body: ByteBuffer(bytes: forwardBody),
            acceptEncoding: false, method: .post
        )
        var headers = ProxyHeaders.downstream(upstreamResponse.headers)
        // One value when every search agrees, else one per search, comma-separated like X-Rerank-Status.
        func perSearch(_ values: [String]) -> String { Set(values).count == 1 ? values[0] : values.joined(separator: ", ") }
        headers[.rerankModel] = perSearch(routes.map(\.model))
        headers[.rerankVariant] = perSearch(routes.map(\.variant))
        if routes.contains(where: { $0.assignment != nil }) {
            headers[.rerankExperiment] = perSearch(routes.map { $0.assignment?.experiment.name ?? "-" })
        }
        let bytes = Array(buffer: upstreamResponse.body)
        guard upstreamResponse.status == 200, let responses = try? HitScanner.multiSearchResponses(bytes),
            responses.count == plans.count
        else {
            headers[.rerankStatus] = RerankOutcome.fallback("unparseable msearch response").header
            return Response(status: .init(code: upstreamResponse.status), headers: headers, body: .init(byteBuffer: upstreamResponse.body))
        }
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        var outcomes: [RerankOutcome] = []
        var queryIDs: [String] = []
        let pathIndex = Self.index(path: request.uri.path)
        for (number, range) in responses.enumerated() {
            let served = serve(
                bytes, range: range, plan: plans[number], context: contexts[number], route: routes[number],
                index: MultiSearchBody.index(header: searches[number].header) ?? pathIndex
            )
            replacements.append((range, served.bytes))
            outcomes.append(served.outcome)
            if let queryID = served.queryID { queryIDs.append(queryID) }
        }
        if !queryIDs.isEmpty { headers[.rerankQueryID] = ProxyHeaders.list(queryIDs) }
        headers[.rerankStatus] = ProxyHeaders.list(outcomes.map(\.header))
        let output = ResponseSplicer.replace(bytes, replacements)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: output)))
    }

    private func forward(
        _ request: Request,
        route: Route,
        target: String,
        body: ByteBuffer?,
        acceptEncoding: Bool,
        method: HTTPRequest.Method? = nil
    ) async throws(RerankError) -> UpstreamResponse {
        let clock = ContinuousClock()
        let start = clock.now
        var headers = ProxyHeaders.upstream(request.headers, acceptEncoding: acceptEncoding)
        // Search bodies were decoded to be read and rewritten; they go upstream plain.
        if route != .passthrough { headers.remove(name: "content-encoding") }
        if let body, headers["content-type"].isEmpty, body.readableBytes > 0 {
            headers.add(name: "content-type", value: route == .multiSearch ? "application/x-ndjson" : "application/json")
        }
        let response = try await upstream.send(
            method: NIOHTTP1.HTTPMethod(rawValue: (method ?? request.method).rawValue),
            target: target,
            headers: headers,
            body: body
        )
        metrics.upstream(route: route.rawValue, duration: clock.now - start)
        return response
    }

    func headers(of request: Request) -> ContextBuilder.Headers {
        ContextBuilder.Headers(
            user: request.headers[.rerankUser],
            session: request.headers[.rerankSession],
            device: request.headers[.rerankDevice],
            timeZone: request.headers[.rerankTimezone],
            userAgent: request.headers[.userAgent]
        )
    }
}
