import Hummingbird
import Logging
import NIOCore
import RerankCore

extension ProxyController {
    /// The cluster's response body handed to the client part by part as it arrives, never held whole.
    ///
    /// The first part is awaited before the response head goes out. A body that arrives whole in it (the usual case
    /// for a search answer over a local connection) goes out with the head in one write, as a read-whole response
    /// does; a failure before it is an error response, as for a read-whole request.
    ///
    /// Once the head has gone out, a body the cluster does not finish (cut off at `upstream.timeout_ms`, or a
    /// connection that breaks) cannot become an error response: the client's connection is closed instead, so that
    /// it sees a short body rather than a complete-looking one, and the cut is counted in
    /// `rerank_upstream_cut_responses_total`.
    func relayed(_ stream: UpstreamStream, endpoint: Endpoint, logger: Logger) async throws(RerankError) -> ResponseBody {
        // Read here, then by the body writer once the head is out: one reader at a time, never two at once.
        nonisolated(unsafe) let parts = stream.body.makeAsyncIterator()
        // The parts read before the head goes out.
        var opening: [ByteBuffer] = []
        do {
            guard let first = try await parts.next() else { return ResponseBody() }
            opening.append(first)
            if first.readableBytes == stream.contentLength {
                guard let next = try await parts.next() else { return ResponseBody(byteBuffer: first) }
                opening.append(next)
            }
        } catch {
            throw stream.explain(error)
        }
        let metrics = metrics
        return ResponseBody(contentLength: stream.contentLength) { [opening] writer in
            try await writer.write(contentsOf: opening)
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
