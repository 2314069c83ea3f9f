import ClusterLogs
import NIOCore
import NIOHTTP1

extension UpstreamClient: ClusterTransport {
    /// Reads the cluster with the proxy's pool, credentials and deadline.
    func exchange(_ method: HTTPMethod, _ target: String, body: [UInt8]?) async throws -> ClusterAnswer {
        let answer = try await send(
            method: method, target: target, headers: ["content-type": "application/json"], body: body.map { ByteBuffer(bytes: $0) })
        return ClusterAnswer(status: answer.status, body: Array(buffer: answer.body))
    }

    var location: String { primaryURL }
}
