import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A ``ClusterTransport`` of its own, for the command line: `rerank train --logs https://user:pass@host:9200`.
///
/// Credentials come from the URL's user and password, else from `RERANK_UPSTREAM_USERNAME` and
/// `RERANK_UPSTREAM_PASSWORD` (as the sidecar reads them). Call ``close()`` when done.
///
/// ```swift
/// let cluster = try HTTPClusterTransport(url: "http://127.0.0.1:9200")
/// defer { Task { try? await cluster.close() } }
/// let log = try await ClusterLogReader(cluster: cluster).read()
/// ```
public final class HTTPClusterTransport: ClusterTransport {
    private let client: HTTPClient
    private let base: String
    private let authorization: String?
    private let timeout: TimeAmount

    /// - Parameters:
    ///   - url: `http(s)://[user:password@]host:port[/]`.
    ///   - timeout: the most one request may take, its answer included.
    /// - Throws: ``ClusterReadError`` when the URL is not an http(s) URL with a host.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment, timeout: TimeAmount = .seconds(60)) throws(ClusterReadError) {
        guard var components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""),
            components.host?.isEmpty == false
        else {
            throw .refused(request: "--logs \(url)", status: 0, reason: "not an http(s)://host:port URL")
        }
        let user = components.user.flatMap { $0.removingPercentEncoding } ?? environment["RERANK_UPSTREAM_USERNAME"]
        let password = components.password.flatMap { $0.removingPercentEncoding } ?? environment["RERANK_UPSTREAM_PASSWORD"]
        components.user = nil
        components.password = nil
        components.path = ""
        components.query = nil
        base = components.string ?? url
        authorization = user.map { "Basic " + Data("\($0):\(password ?? "")".utf8).base64EncodedString() }
        self.timeout = timeout
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public var location: String { base }

    public func exchange(_ method: HTTPMethod, _ target: String, body: [UInt8]?) async throws -> ClusterAnswer {
        var request = HTTPClientRequest(url: base + target)
        request.method = method
        request.headers.add(name: "content-type", value: "application/json")
        if let authorization { request.headers.add(name: "authorization", value: authorization) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 30)
        return ClusterAnswer(status: Int(response.status.code), body: Array(buffer: bytes))
    }

    /// Closes the connection pool.
    public func close() async throws {
        try await client.shutdown()
    }
}
