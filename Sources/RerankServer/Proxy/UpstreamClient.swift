import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import RerankConfiguration
import RerankCore
import ServiceLifecycle
import Synchronization

/// A response from the cluster, read whole.
struct UpstreamResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer
}

/// A response from the cluster whose body is still arriving; see ``UpstreamRelay``.
struct UpstreamStream: Sendable {
    var status: Int
    var headers: HTTPHeaders
    /// The body parts as they arrive, ending at the request's deadline at the latest; iterate it once.
    let body: UpstreamRelay.Body
    /// What an error thrown by ``body`` means for the client, as ``UpstreamClient/send(method:target:headers:body:)``
    /// would have reported it.
    let explain: @Sendable (any Error) -> RerankError

    /// The body's length as the cluster announced it; nil when it sends the body chunked.
    var contentLength: Int? { headers.first(name: "content-length").flatMap { Int($0) } }
}

/// The pooled, non-blocking client for the cluster; a `Service` so it shuts down with the application.
///
/// Requests go round-robin over the configured upstream URLs, each under the configured deadline.
final class UpstreamClient: Service, Sendable {
    let http: HTTPClient
    private let baseURLs: [String]
    private let next = Atomic<Int>(0)
    private let configuration: ServerConfiguration.Upstream
    private let maxResponseBody: Int
    private let basicAuthorization: String?

    init(configuration: ServerConfiguration.Upstream, maxResponseBody: Int) throws {
        var client = HTTPClient.Configuration()
        client.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnections)
        client.connectionPool.retryConnectionEstablishment = false
        client.timeout = .init(connect: .milliseconds(Int64(configuration.connectTimeoutMilliseconds)))
        client.redirectConfiguration = .disallow
        client.decompression = .disabled
        // The sidecar bootstraps no tracer; without this AsyncHTTPClient would build a no-op span and its attributes
        // for every request to the cluster.
        client.tracing.tracer = nil
        client.http1_1ConnectionDebugInitializer = RequestCoalescer.install
        var tls = TLSConfiguration.makeClientConfiguration()
        if !configuration.tlsVerify { tls.certificateVerification = .none }
        if let caFile = configuration.caFile { tls.trustRoots = .file(caFile) }
        client.tlsConfiguration = tls
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: client)
        baseURLs = configuration.urls.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.configuration = configuration
        self.maxResponseBody = maxResponseBody
        if let username = configuration.username {
            let token = Data("\(username):\(configuration.password ?? "")".utf8).base64EncodedString()
            basicAuthorization = "Basic \(token)"
        } else {
            basicAuthorization = nil
        }
    }

    /// Waits for shutdown, then closes the connection pool.
    func run() async throws {
        try? await gracefulShutdown()
        try await http.shutdown()
    }

    /// The first upstream URL, for messages.
    var primaryURL: String { baseURLs[0] }

    /// Sends a request to the next upstream and reads its whole response.
    ///
    /// The deadline (`upstream.timeout_ms`) is AsyncHTTPClient's own for a delegate request, which covers the whole
    /// response: a cluster trickling its body is cut off at the deadline, the connection to it closed.
    ///
    /// - Parameters:
    ///   - target: path and query, e.g. `/products/_search?typed_keys=true`.
    ///   - headers: the client's headers, already stripped of hop-by-hop headers.
    /// - Throws: ``RerankError`` for an unreachable or slow cluster, or an oversized response.
    func send(method: HTTPMethod, target: String, headers: HTTPHeaders, body: ByteBuffer?) async throws(RerankError) -> UpstreamResponse {
        let exchange = try exchange(method: method, target: target, headers: headers, body: body)
        do {
            let accumulator = ResponseAccumulator(request: exchange.request, maxBodySize: maxResponseBody)
            let task = http.execute(request: exchange.request, delegate: accumulator, eventLoop: .indifferent, deadline: exchange.deadline)
            let response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            return UpstreamResponse(status: Int(response.status.code), headers: response.headers, body: response.body ?? ByteBuffer())
        } catch {
            throw exchange.explain(error)
        }
    }

    /// Sends a request to the next upstream and answers once the response head has arrived, its body still to come.
    ///
    /// The deadline (`upstream.timeout_ms`) covers the body as it does in ``send(method:target:headers:body:)``;
    /// no size limit applies, since the body is handed on, not held.
    ///
    /// - Throws: ``RerankError`` for an unreachable cluster, or one whose head does not arrive in time.
    func stream(method: HTTPMethod, target: String, headers: HTTPHeaders, body: ByteBuffer?) async throws(RerankError) -> UpstreamStream {
        let exchange = try exchange(method: method, target: target, headers: headers, body: body)
        let (relay, body) = UpstreamRelay.make(on: http.eventLoopGroup.any())
        do {
            let task = http.execute(
                request: exchange.request, delegate: relay, eventLoop: .delegate(on: relay.eventLoop), deadline: exchange.deadline)
            let head = try await withTaskCancellationHandler {
                try await relay.head.get()
            } onCancel: {
                task.cancel()
            }
            return UpstreamStream(status: Int(head.status.code), headers: head.headers, body: body, explain: exchange.explain)
        } catch {
            throw exchange.explain(error)
        }
    }

    /// One request to the next upstream: what to send, its deadline, and how to report what went wrong.
    private struct Exchange {
        var request: HTTPClient.Request
        var deadline: NIODeadline
        var explain: @Sendable (any Error) -> RerankError
    }

    private func exchange(method: HTTPMethod, target: String, headers: HTTPHeaders, body: ByteBuffer?) throws(RerankError) -> Exchange {
        let base = baseURLs[next.wrappingAdd(1, ordering: .relaxed).oldValue % baseURLs.count]
        var headers = headers
        if !configuration.forwardAuthorization || !headers.contains(name: "authorization") {
            headers.remove(name: "authorization")
            if let basicAuthorization { headers.replaceOrAdd(name: "authorization", value: basicAuthorization) }
        }
        let deadline = NIODeadline.now() + .milliseconds(Int64(configuration.timeoutMilliseconds))
        let explain = Self.explainer(base: base, deadline: deadline, timeoutMilliseconds: configuration.timeoutMilliseconds, limit: maxResponseBody)
        do {
            let request = try HTTPClient.Request(url: base + target, method: method, headers: headers, body: body.map { .byteBuffer($0) })
            return Exchange(request: request, deadline: deadline, explain: explain)
        } catch {
            throw explain(error)
        }
    }

    /// Turns what AsyncHTTPClient threw into the error the client gets.
    private static func explainer(
        base: String, deadline: NIODeadline, timeoutMilliseconds: Int, limit: Int
    ) -> @Sendable (any Error) -> RerankError {
        { error in
            let timeout = RerankError.upstreamTimeout(base, seconds: Double(timeoutMilliseconds) / 1000)
            switch error {
            case is ResponseAccumulator.ResponseTooBigError:
                return .upstreamResponseTooLarge(limit: limit)
            case let error as HTTPClientError where [.deadlineExceeded, .readTimeout].contains(error):
                return timeout
            default:
                return NIODeadline.now() >= deadline ? timeout : .upstreamUnreachable(base, String(describing: error))
            }
        }
    }
}
