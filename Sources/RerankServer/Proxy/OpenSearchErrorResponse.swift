import Hummingbird
import NIOCore
import RerankCore
import RerankJSON

extension RerankError {
    /// The error as OpenSearch shapes it:
    /// `{"error":{"root_cause":[{"type":…,"reason":…}],"type":…,"reason":…},"status":…}`.
    var openSearchBody: [UInt8] {
        let cause = JSONValue.object(JSONObject(["type": .string(type), "reason": .string(reason)]))
        let error = JSONObject([
            "root_cause": .array([cause]), "type": .string(type), "reason": .string(reason),
        ])
        return JSONWriter.bytes(.object(JSONObject(["error": .object(error), "status": .int(status)])))
    }

    /// The HTTP response for this error.
    func response(extraHeaders: HTTPFields = [:]) -> Response {
        var headers = extraHeaders
        headers[.contentType] = "application/json; charset=UTF-8"
        return Response(
            status: .init(code: status),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: openSearchBody))
        )
    }
}
