import Hummingbird
import Logging
import NIOCore
import RerankCore

extension ProxyController {
    /// The cluster's response body handed to the client part by part as it arrives, never held whole.
    ///
    /// The response head has gone out by the time the body fails, so a body the cluster does not finish (cut off
    /// at `upstream.timeout_ms`, or a connection that breaks) cannot become an error response: the client's
    /// connection is closed instead, so that it sees a short body rather than a complete-looking one, and the cut is
    /// counted in `rerank_upstream_cut_responses_total`.
    func relayed(_ stream: UpstreamStream, endpoint: Endpoint, logger: Logger) -> ResponseBody {
        let metrics = metrics
        return ResponseBody(contentLength: stream.contentLength) { writer in
            let parts = stream.body.makeAsyncIterator()
            while true {
                let part: ByteBuffer?
                do {
                    part = try await parts.next()
                } catch {
                    let failure = stream.explain(error)
                    metrics.upstreamCut(route: endpoint.rawValue, timedOut: failure == .upstreamTimeout("", seconds: 0))
                    logger.warning("the cluster's \(endpoint.rawValue) response was cut off: \(failure)")
                    throw failure
                }
                guard let part else { break }
                try await writer.write(part)
            }
            try await writer.finish(nil)
        }
    }
}
