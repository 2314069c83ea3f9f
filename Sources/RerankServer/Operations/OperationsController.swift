import Hummingbird
import NIOCore
import RerankJSON

/// The sidecar's own endpoints: `/metrics`, `/_rerank/health`, `/_rerank/ready` (the cluster answers and, with
/// shared state, the start's catch-up is done).
struct OperationsController: Sendable {
    let upstream: UpstreamClient
    let metrics: ProxyMetrics
    /// The filters' event history, whose tables `/metrics` reports; nil when no filter reads it.
    let history: FilterHistory?
    /// The shared online state, which is not ready until it has caught up from the cluster; nil when not shared.
    let shared: SharedStateService?

    func register(on router: Router<some RequestContext>) {
        router.get("/metrics") { _, _ in
            if let history { metrics.stateTables(history.statistics) }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition()))
            )
        }
        router.get("/_rerank/health") { _, _ in
            Self.json(.ok, JSONObject(["status": .string("ok")]))
        }
        router.get("/_rerank/ready") { _, _ in
            if let shared, !shared.isCaughtUp {
                return Self.json(.serviceUnavailable, JSONObject([
                    "ready": .bool(false), "reason": .string("catching up the online state from the cluster"),
                ]))
            }
            do {
                let response = try await upstream.send(method: .GET, target: "/", headers: [:], body: nil)
                let ready = response.status < 500
                return Self.json(
                    ready ? .ok : .serviceUnavailable,
                    JSONObject(["ready": .bool(ready), "upstream_status": .int(response.status)])
                )
            } catch {
                return Self.json(.serviceUnavailable, JSONObject(["ready": .bool(false), "reason": .string(String(describing: error))]))
            }
        }
    }

    static func json(_ status: HTTPResponse.Status, _ object: JSONObject) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(.object(object))))
        )
    }
}
