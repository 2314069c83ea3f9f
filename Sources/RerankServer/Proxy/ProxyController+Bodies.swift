import CompressNIO
import Hummingbird
import NIOCore
import RerankCore

extension ProxyController {
    func collectBody(_ request: inout Request) async throws(RerankError) -> ByteBuffer {
        try await RequestBodyDeadline(limit: maxRequestBody, timeout: bodyTimeout).collect(&request)
    }

    /// The body with any `Content-Encoding: gzip` or `deflate` undone (opensearch-py's `http_compress`), so the
    /// sidecar can read it.
    func decodedBody(_ request: inout Request) async throws(RerankError) -> ByteBuffer {
        var body = try await collectBody(&request)
        let encoding = request.headers[.contentEncoding]?.lowercased()
        let algorithm: CompressionAlgorithm
        switch encoding {
        case nil, "identity": return body
        case "gzip", "x-gzip": algorithm = .gzip()
        case "deflate": algorithm = .zlib()
        default: throw .unsupportedContentEncoding(encoding ?? "")
        }
        do {
            return try body.decompress(with: algorithm, maxSize: maxRequestBody)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .bodyTooLarge(limit: maxRequestBody)
        } catch {
            throw .invalidBody("the \(encoding ?? "") body could not be decompressed: \(error)")
        }
    }

    /// OpenSearch accepts JSON bodies (NDJSON for `_msearch`); other media types get its 406.
    func checkContentType(_ request: Request) throws(RerankError) {
        guard let contentType = request.headers[.contentType], contentType != "application/json" else { return }
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let accepted = ["application/json", "application/x-ndjson", "application/vnd.opensearch+json"]
        guard accepted.contains(mediaType) || mediaType.hasSuffix("+json") else {
            throw .unsupportedContentType(contentType)
        }
    }
}
