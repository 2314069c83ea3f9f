/// An error the sidecar reports to a client, in words that say what went wrong and how to fix it.
///
/// It carries the HTTP status and OpenSearch error type it becomes at the HTTP edge, so clients see errors in
/// the shape OpenSearch itself uses. Errors of the same kind are equal, whatever their reason (as `LTRError` and
/// AsyncHTTPClient's `HTTPClientError`).
public struct RerankError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case invalidBody
        case invalidRerankExtension
        case unsupportedContentType
        case unsupportedContentEncoding
        case bodyTooLarge
        case forbiddenWrite
        case upstreamUnreachable
        case upstreamTimeout
        case upstreamResponseTooLarge
        case notFound
        case logUnavailable
        case requestTimeout
        case adminDisabled
        case unauthorized
        case modelRefused
        case configRefused
    }

    private let code: Code
    /// Human-readable reason, sent to the client.
    public let reason: String

    private init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (lhs: RerankError, rhs: RerankError) -> Bool { lhs.code == rhs.code }

    /// The body is not valid JSON (or NDJSON for `_msearch`).
    public static func invalidBody(_ detail: String) -> RerankError {
        .init(.invalidBody, "request body is not valid JSON: \(detail)")
    }

    /// `ext.rerank` (or an `X-Rerank-*` header) has a bad field.
    public static func invalidRerankExtension(field: String, _ problem: String) -> RerankError {
        .init(.invalidRerankExtension, "[\(field)] \(problem)")
    }

    public static func unsupportedContentType(_ contentType: String) -> RerankError {
        .init(
            .unsupportedContentType,
            "Content-Type header [\(contentType)] is not supported; send application/json (application/x-ndjson for _msearch and _bulk)"
        )
    }

    public static func unsupportedContentEncoding(_ encoding: String) -> RerankError {
        .init(.unsupportedContentEncoding, "Content-Encoding [\(encoding)] is not supported; send the body plain, gzip or deflate")
    }

    public static func bodyTooLarge(limit: Int) -> RerankError {
        .init(.bodyTooLarge, "request body is larger than the configured limit of \(limit) bytes (max_request_body)")
    }

    public static func forbiddenWrite(method: String, path: String) -> RerankError {
        .init(
            .forbiddenWrite,
            "[\(method) \(path)] writes to the cluster are not allowed through the rerank sidecar; set passthrough.allow_writes to true to allow them, or send writes to the cluster directly"
        )
    }

    public static func upstreamUnreachable(_ upstream: String, _ detail: String) -> RerankError {
        .init(.upstreamUnreachable, "upstream OpenSearch at \(upstream) is unreachable: \(detail)")
    }

    public static func upstreamTimeout(_ upstream: String, seconds: Double) -> RerankError {
        .init(.upstreamTimeout, "upstream OpenSearch at \(upstream) did not answer within \(seconds)s (upstream_timeout)")
    }

    public static func upstreamResponseTooLarge(limit: Int) -> RerankError {
        .init(.upstreamResponseTooLarge, "upstream response is larger than the configured limit of \(limit) bytes (max_response_body)")
    }

    /// Events cannot be made durable (logging off, disk full or unwritable); nothing was acknowledged.
    public static func logUnavailable(_ detail: String) -> RerankError {
        .init(.logUnavailable, "events were not stored: \(detail)")
    }

    public static func notFound(_ what: String) -> RerankError {
        .init(.notFound, what)
    }

    /// The client did not send the whole request body within the configured time.
    public static func requestTimeout(seconds: Double) -> RerankError {
        .init(.requestTimeout, "the request body did not arrive within \(seconds)s (limits.request_body_timeout_ms); send it faster or in one piece")
    }

    /// An admin endpoint was called while no admin token is configured.
    public static func adminDisabled() -> RerankError {
        .init(.adminDisabled, "admin endpoints are disabled; set admin.token (or RERANK_ADMIN_TOKEN) to enable them")
    }

    /// An admin endpoint was called without the configured token.
    public static func unauthorized() -> RerankError {
        .init(.unauthorized, "missing or wrong admin token; send it as `Authorization: Bearer <admin.token>`")
    }

    /// A model file asked for by the reload endpoint could not be served; the loaded model keeps serving.
    public static func modelRefused(_ detail: String) -> RerankError {
        .init(.modelRefused, "model not reloaded, the loaded model keeps serving: \(detail)")
    }

    /// A config file asked for by the experiments reload endpoint could not be applied; the running experiments go on.
    public static func configRefused(_ detail: String) -> RerankError {
        .init(.configRefused, "experiments not reloaded, the running experiments go on: \(detail)")
    }

    /// The HTTP status this error is answered with.
    public var status: Int {
        switch code {
        case .invalidBody, .invalidRerankExtension: 400
        case .forbiddenWrite, .adminDisabled: 403
        case .unauthorized: 401
        case .modelRefused, .configRefused: 400
        case .requestTimeout: 408
        case .notFound: 404
        case .unsupportedContentType: 406
        case .unsupportedContentEncoding: 415
        case .bodyTooLarge: 413
        case .upstreamUnreachable, .upstreamResponseTooLarge: 502
        case .upstreamTimeout: 504
        case .logUnavailable: 503
        }
    }

    /// The OpenSearch error `type`.
    public var type: String {
        switch code {
        case .invalidBody: "parsing_exception"
        case .invalidRerankExtension: "illegal_argument_exception"
        case .unsupportedContentType, .unsupportedContentEncoding: "media_type_header_exception"
        case .bodyTooLarge: "content_too_long_exception"
        case .forbiddenWrite, .adminDisabled, .unauthorized: "security_exception"
        case .modelRefused: "rerank_model_refused_exception"
        case .configRefused: "rerank_config_refused_exception"
        case .requestTimeout: "rerank_request_timeout_exception"
        case .notFound: "resource_not_found_exception"
        case .upstreamUnreachable: "rerank_upstream_unreachable_exception"
        case .upstreamTimeout: "rerank_upstream_timeout_exception"
        case .upstreamResponseTooLarge: "rerank_upstream_response_too_large_exception"
        case .logUnavailable: "rerank_log_unavailable_exception"
        }
    }

    public var description: String { "\(type): \(reason)" }
}
