import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Ranking
import RerankCore
import RerankJSON

/// Serves every cluster-bound request: searches are reranked, other allowed requests pass through untouched.
struct ProxyController: Sendable {
    let upstream: UpstreamClient
    let planner: SearchPlanner
    let contexts: ContextBuilder
    let rerankers: RerankerStore
    let budget: Duration
    let policy: PassthroughPolicy
    let maxRequestBody: Int
    let metrics: ProxyMetrics

    /// What kind of request a path is.
    enum Route: String {
        case search
        case multiSearch = "msearch"
        case passthrough

        init(method: HTTPRequest.Method, path: String) {
            let segments = path.split(separator: "/", omittingEmptySubsequences: true)
            guard method == .get || method == .post, (1...2).contains(segments.count), let last = segments.last,
                segments.count == 1 || !segments[0].hasPrefix("_")
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
        let body = try await collectBody(&request)
        let bytes = Array(buffer: body)
        let reranker = rerankers.reranker
        let plan = try planner.plan(body: bytes, query: request.uri.query, fields: reranker.requiredFields)
        let searchContext = try contexts.context(headers: headers(of: request), extension: plan.rerankExtension)
        let target = request.uri.path + (plan.query.map { "?\($0)" } ?? "")
        let forwardBody = plan.body.map { ByteBuffer(bytes: $0) } ?? (bytes.isEmpty ? nil : body)
        let upstreamResponse = try await forward(
            request, route: .search, target: target, body: forwardBody, acceptEncoding: false,
            method: forwardBody == nil ? request.method : .post
        )
        var headers = ProxyHeaders.downstream(upstreamResponse.headers)
        headers[.rerankModel] = reranker.version
        guard upstreamResponse.status == 200, let page = plan.page else {
            let outcome = RerankOutcome.skipped(plan.skipReason ?? "upstream status \(upstreamResponse.status)")
            metrics.rerank(outcome, duration: .zero)
            headers[.rerankStatus] = outcome.header
            return Response(status: .init(code: upstreamResponse.status), headers: headers, body: .init(byteBuffer: upstreamResponse.body))
        }
        let clock = ContinuousClock()
        let start = clock.now
        let reranked = ResponseReranker(reranker: reranker, budget: budget)
            .rerank(Array(buffer: upstreamResponse.body), page: page, sourceEdit: plan.sourceEdit, context: searchContext)
        metrics.rerank(reranked.outcome, duration: clock.now - start)
        headers[.rerankStatus] = reranked.outcome.header
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reranked.bytes)))
    }

    private func multiSearch(_ request: Request) async throws(RerankError) -> Response {
        try checkContentType(request)
        var request = request
        let body = try await collectBody(&request)
        let searches = try MultiSearchBody.parse(Array(buffer: body))
        let requestHeaders = headers(of: request)
        let reranker = rerankers.reranker
        var plans: [SearchPlan] = []
        var contexts: [SearchContext] = []
        for search in searches {
            let plan = try planner.plan(body: search.body, query: nil, fields: reranker.requiredFields)
            plans.append(plan)
            contexts.append(try self.contexts.context(headers: requestHeaders, extension: plan.rerankExtension))
        }
        let forwardBody = MultiSearchBody.encode(zip(searches, plans).map { ($0.header, $1.body ?? $0.body) })
        let upstreamResponse = try await forward(
            request, route: .multiSearch, target: request.uri.string, body: ByteBuffer(bytes: forwardBody),
            acceptEncoding: false, method: .post
        )
        var headers = ProxyHeaders.downstream(upstreamResponse.headers)
        headers[.rerankModel] = reranker.version
        let bytes = Array(buffer: upstreamResponse.body)
        guard upstreamResponse.status == 200, let responses = try? HitScanner.multiSearchResponses(bytes),
            responses.count == plans.count
        else {
            headers[.rerankStatus] = RerankOutcome.fallback("unparseable msearch response").header
            return Response(status: .init(code: upstreamResponse.status), headers: headers, body: .init(byteBuffer: upstreamResponse.body))
        }
        let clock = ContinuousClock()
        let responseReranker = ResponseReranker(reranker: reranker, budget: budget)
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        var outcomes: [RerankOutcome] = []
        for (index, range) in responses.enumerated() {
            let start = clock.now
            guard let page = plans[index].page else {
                outcomes.append(.skipped(plans[index].skipReason ?? "not reranked"))
                metrics.rerank(outcomes[index], duration: .zero)
                continue
            }
            let reranked = responseReranker.rerank(
                bytes, range: range, page: page, sourceEdit: plans[index].sourceEdit, context: contexts[index]
            )
            replacements.append((range, reranked.bytes))
            outcomes.append(reranked.outcome)
            metrics.rerank(reranked.outcome, duration: clock.now - start)
        }
        headers[.rerankStatus] = outcomes.map(\.header).joined(separator: ", ")
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

    private func collectBody(_ request: inout Request) async throws(RerankError) -> ByteBuffer {
        do {
            return try await request.collectBody(upTo: maxRequestBody)
        } catch is NIOTooManyBytesError {
            throw .bodyTooLarge(limit: maxRequestBody)
        } catch {
            throw .invalidBody("could not read the request body: \(error)")
        }
    }

    /// OpenSearch accepts JSON bodies (NDJSON for `_msearch`); other media types get its 406.
    private func checkContentType(_ request: Request) throws(RerankError) {
        guard let contentType = request.headers[.contentType] else { return }
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let accepted = ["application/json", "application/x-ndjson", "application/vnd.opensearch+json"]
        guard accepted.contains(mediaType) || mediaType.hasSuffix("+json") else {
            throw .unsupportedContentType(contentType)
        }
    }

    private func headers(of request: Request) -> ContextBuilder.Headers {
        ContextBuilder.Headers(
            user: request.headers[.rerankUser],
            session: request.headers[.rerankSession],
            device: request.headers[.rerankDevice],
            timeZone: request.headers[.rerankTimezone],
            userAgent: request.headers[.userAgent]
        )
    }
}
