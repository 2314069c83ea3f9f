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
    /// - Parameters:
    ///   - target: path and query, e.g. `/products/_search?typed_keys=true`.
    ///   - headers: the client's headers, already stripped of hop-by-hop headers.
    /// - Throws: ``RerankError`` for an unreachable or slow cluster, or an oversized response.
    func send(method: HTTPMethod, target: String, headers: HTTPHeaders, body: ByteBuffer?) async throws(RerankError) -> UpstreamResponse {
        let base = baseURLs[next.wrappingAdd(1, ordering: .relaxed).oldValue % baseURLs.count]
        var request = HTTPClientRequest(url: base + target)
        request.method = method
        request.headers = headers
        if !configuration.forwardAuthorization || !headers.contains(name: "authorization") {
            request.headers.remove(name: "authorization")
            if let basicAuthorization { request.headers.replaceOrAdd(name: "authorization", value: basicAuthorization) }
        }
        if let body { request.body = .bytes(body) }
        let timeout = TimeAmount.milliseconds(Int64(configuration.timeoutMilliseconds))
        let deadline = NIODeadline.now() + timeout
        do {
            let response = try await http.execute(request, deadline: deadline)
            let bytes = try await Self.collect(response.body, upTo: maxResponseBody, before: deadline)
            return UpstreamResponse(status: Int(response.status.code), headers: response.headers, body: bytes)
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw .upstreamResponseTooLarge(limit: maxResponseBody)
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout].contains(error) {
            throw .upstreamTimeout(base, seconds: Double(configuration.timeoutMilliseconds) / 1000)
        } catch {
            if NIODeadline.now() >= deadline {
                throw .upstreamTimeout(base, seconds: Double(configuration.timeoutMilliseconds) / 1000)
            }
            throw .upstreamUnreachable(base, String(describing: error))
        }
    }

    /// The whole response body, read before `deadline`: the client's deadline covers the response head only, and a
    /// cluster trickling its body would otherwise hold the request for as long as it likes.
    ///
    /// - Throws: `HTTPClientError.deadlineExceeded` when the deadline passes first (the read is cancelled, which
    ///   closes the connection), or what reading the body threw.
    private static func collect(
        _ body: HTTPClientResponse.Body, upTo limit: Int, before deadline: NIODeadline
    ) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: limit) }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(max(0, (deadline - .now()).nanoseconds)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else { throw HTTPClientError.deadlineExceeded }
            return bytes
        }
    }
}
