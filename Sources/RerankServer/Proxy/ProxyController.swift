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
    /// Reranking not done within `rerank.budget_ms` sends the engine's order at the deadline.
    let deadline: RankingDeadline
    let policy: PassthroughPolicy
    let maxRequestBody: Int
    /// How long a request body may take to arrive.
    let bodyTimeout: Duration
    let metrics: ProxyMetrics
    /// Where impressions go; nil when logging is off.
    let impressions: ImpressionLog?
    /// Where served searches go to update the served model's live statistics; nil without a model.
    let online: OnlineStateService?
    /// `rerank.filters`, applied to every search and rank request.
    let filters: FilterSet
    /// The users' and sessions' events that history filters read; nil when no filter reads them.
    let history: FilterHistory?
    let now: @Sendable () -> Date
    /// The `indices` entries: searches on their indices are served by their settings, not the ones above.
    var indices = IndexScopes()

    /// What kind of request a path is (not to be confused with ``ExperimentRoute``, a search's experiment arm).
    enum Endpoint: String {
        case search
        case multiSearch = "msearch"
        case rank
        case passthrough

        init(method: HTTPRequest.Method, path: String) {
            if method == .post && path == "/_rerank/rank" {
                self = .rank
                return
            }
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
        let endpoint = Endpoint(method: request.method, path: request.uri.path)
        var response: Response
        do {
            switch endpoint {
            case .search: response = try await search(request, logger: context.logger)
            case .multiSearch: response = try await multiSearch(request)
            case .rank: response = try await rank(request)
            case .passthrough: response = try await passthrough(request, logger: context.logger)
            }
        } catch {
            context.logger.warning("\(request.method) \(request.uri.path): \(error)")
            response = error.response()
        }
        metrics.request(route: endpoint.rawValue, status: response.status.code, duration: clock.now - start)
        return response
    }

    /// Forwards an allowed request untouched and hands the response on as it arrives (a HEAD's empty answer whole).
    private func passthrough(_ request: Request, logger: Logger) async throws(RerankError) -> Response {
        guard policy.allows(request.method, path: request.uri.path) else {
            throw .forbiddenWrite(method: request.method.rawValue, path: request.uri.path)
        }
        var request = request
        let body = try await collectBody(&request)
        let forwardBody = body.readableBytes > 0 ? body : nil
        let target = request.uri.string
        guard request.method != .head else {
            let upstreamResponse = try await forward(
                request, endpoint: .passthrough, target: target, body: forwardBody, acceptEncoding: true, via: UpstreamClient.send)
            return Response(
                status: .init(code: upstreamResponse.status), headers: ProxyHeaders.downstream(upstreamResponse.headers),
                body: .init(byteBuffer: upstreamResponse.body))
        }
        let stream = try await forward(
            request, endpoint: .passthrough, target: target, body: forwardBody, acceptEncoding: true, via: UpstreamClient.stream)
        return Response(
            status: .init(code: stream.status), headers: ProxyHeaders.downstream(stream.headers),
            body: try await relayed(stream, endpoint: .passthrough, logger: logger))
    }

    private func search(_ request: Request, logger: Logger) async throws(RerankError) -> Response {
        try checkContentType(request)
        var request = request
        let body = try await decodedBody(&request)
        let bytes = Array(buffer: body)
        let index = Self.index(path: request.uri.path)
        let prepared = try prepare(
            bytes, query: request.uri.query, headers: headers(of: request),
            override: request.headers[.rerankVariantOverride], snapshot: rerankers.snapshot, index: index)
        let plan = prepared.plan
        let target = request.uri.path + (plan.query.map { "?\($0)" } ?? "")
        let forwardBody = plan.body.map { ByteBuffer(bytes: $0) } ?? (bytes.isEmpty ? nil : body)
        let method = forwardBody == nil ? request.method : .post
        guard readsResponse(of: plan) else {
            return try await skippedSearch(
                request, prepared, target: target, body: forwardBody, method: method, logger: logger)
        }
        let upstreamResponse = try await forward(
            request, endpoint: .search, target: target, body: forwardBody, acceptEncoding: false, method: method,
            via: UpstreamClient.send)
        var headers = searchHeaders(upstreamResponse.headers, route: prepared.route)
        guard upstreamResponse.status == 200 else {
            headers[.rerankStatus] = RerankOutcome.skipped("upstream status \(upstreamResponse.status)").header
            return Response(status: .init(code: upstreamResponse.status), headers: headers, body: .init(byteBuffer: upstreamResponse.body))
        }
        let served = await serve(Array(buffer: upstreamResponse.body), range: nil, prepared, index: index)
        headers[.rerankStatus] = served.outcome.header
        if let queryID = served.queryID { headers[.rerankQueryID] = queryID }
        if let exploration = served.exploration { headers[.rerankExploration] = ProxyHeaders.exploration(exploration) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: served.bytes)))
    }

    /// A search nothing reads the response of (not reranked, no impression logged), handed on as it arrives.
    private func skippedSearch(
        _ request: Request, _ prepared: PreparedSearch, target: String, body: ByteBuffer?, method: HTTPRequest.Method,
        logger: Logger
    ) async throws(RerankError) -> Response {
        let stream = try await forward(
            request, endpoint: .search, target: target, body: body, acceptEncoding: false, method: method,
            via: UpstreamClient.stream)
        var headers = searchHeaders(stream.headers, route: prepared.route)
        if stream.status == 200 {
            let outcome = RerankOutcome.skipped(prepared.plan.skipReason ?? "not reranked")
            metrics.rerank(outcome, duration: .zero)
            countByIndex(outcome, prepared)
            headers[.rerankStatus] = outcome.header
        } else {
            headers[.rerankStatus] = RerankOutcome.skipped("upstream status \(stream.status)").header
        }
        return Response(status: .init(code: stream.status), headers: headers, body: try await relayed(stream, endpoint: .search, logger: logger))
    }

    /// The cluster's headers as they go back to the client, with the arm that served the search.
    private func searchHeaders(_ upstreamHeaders: HTTPHeaders, route: ExperimentRoute) -> HTTPFields {
        var headers = ProxyHeaders.downstream(upstreamHeaders)
        headers[.rerankModel] = route.model
        headers[.rerankVariant] = route.variant
        if let experiment = route.assignment?.experiment.name { headers[.rerankExperiment] = experiment }
        return headers
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
        let pathIndex = Self.index(path: request.uri.path)
        let indices = searches.map { MultiSearchBody.index(header: $0.header) ?? pathIndex }
        var prepared: [PreparedSearch] = []
        for (search, index) in zip(searches, indices) {
            prepared.append(
                try prepare(
                    search.body, query: nil, headers: requestHeaders, override: request.headers[.rerankVariantOverride],
                    snapshot: snapshot, index: index))
        }
        let routes = prepared.map(\.route)
        let forwardBody = MultiSearchBody.encode(zip(searches, prepared).map { ($0.header, $1.plan.body ?? $0.body) })
        let upstreamResponse = try await forward(
            request, endpoint: .multiSearch, target: request.uri.string, body: ByteBuffer(bytes: forwardBody),
            acceptEncoding: false, method: .post, via: UpstreamClient.send
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
            responses.count == prepared.count
        else {
            headers[.rerankStatus] = RerankOutcome.fallback("unparseable msearch response").header
            return Response(status: .init(code: upstreamResponse.status), headers: headers, body: .init(byteBuffer: upstreamResponse.body))
        }
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        var outcomes: [RerankOutcome] = []
        var queryIDs: [String] = []
        var explorations: [ExplorationRecord?] = []
        for (number, range) in responses.enumerated() {
            let served = await serve(bytes, range: range, prepared[number], index: indices[number])
            replacements.append((range, served.bytes))
            outcomes.append(served.outcome)
            if let queryID = served.queryID { queryIDs.append(queryID) }
            explorations.append(served.exploration)
        }
        if !queryIDs.isEmpty { headers[.rerankQueryID] = ProxyHeaders.list(queryIDs) }
        if explorations.contains(where: { $0 != nil }) {
            headers[.rerankExploration] = ProxyHeaders.list(explorations.map { $0.map(ProxyHeaders.exploration) ?? "-" })
        }
        headers[.rerankStatus] = ProxyHeaders.list(outcomes.map(\.header))
        let output = ResponseSplicer.replace(bytes, replacements)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: output)))
    }

    /// How a request goes to the cluster: ``UpstreamClient/send(method:target:headers:body:)`` reads the whole
    /// response, ``UpstreamClient/stream(method:target:headers:body:)`` answers once its head has arrived.
    typealias UpstreamCall<Answer> =
        (UpstreamClient) -> (NIOHTTP1.HTTPMethod, String, HTTPHeaders, ByteBuffer?) async throws(RerankError) -> Answer

    /// Sends a request to the cluster `via` one of the client's calls, timed in the upstream duration metric.
    private func forward<Answer>(
        _ request: Request, endpoint: Endpoint, target: String, body: ByteBuffer?, acceptEncoding: Bool,
        method: HTTPRequest.Method? = nil, via call: UpstreamCall<Answer>
    ) async throws(RerankError) -> Answer {
        let headers = upstreamHeaders(request, endpoint: endpoint, body: body, acceptEncoding: acceptEncoding)
        let clock = ContinuousClock()
        let start = clock.now
        let answer = try await call(upstream)(
            NIOHTTP1.HTTPMethod(rawValue: (method ?? request.method).rawValue), target, headers, body)
        metrics.upstream(route: endpoint.rawValue, duration: clock.now - start)
        return answer
    }

    /// The client's headers as they go to the cluster.
    private func upstreamHeaders(_ request: Request, endpoint: Endpoint, body: ByteBuffer?, acceptEncoding: Bool) -> HTTPHeaders {
        var headers = ProxyHeaders.upstream(request.headers, acceptEncoding: acceptEncoding)
        // Search bodies were decoded to be read and rewritten; they go upstream plain.
        if endpoint != .passthrough { headers.remove(name: "content-encoding") }
        if let body, headers["content-type"].isEmpty, body.readableBytes > 0 {
            headers.add(name: "content-type", value: endpoint == .multiSearch ? "application/x-ndjson" : "application/json")
        }
        return headers
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
