import Hummingbird
import RerankCore

/// Lets a request through only when it carries the admin token as `Authorization: Bearer <token>`.
///
/// Without a configured token every guarded route answers 403 (admin endpoints disabled); a missing or wrong
/// token gets 401. The token is compared in constant time. Protecting a route is one line:
///
/// ```swift
/// router.group().add(middleware: AdminGuard(token: configuration.admin.token)).post("/_rerank/model/reload") { ... }
/// ```
struct AdminGuard<Context: RequestContext>: RouterMiddleware {
    private let token: [UInt8]?

    init(token: String?) {
        self.token = token.map { Array($0.utf8) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else { return RerankError.adminDisabled().response() }
        guard let presented = Self.bearerToken(request.headers[.authorization]), Self.constantTimeEqual(presented, token) else {
            return RerankError.unauthorized().response(extraHeaders: [.wwwAuthenticate: #"Bearer realm="rerank""#])
        }
        return try await next(request, context)
    }

    /// The token of an `Authorization: Bearer <token>` header value.
    static func bearerToken(_ value: String?) -> [UInt8]? {
        guard let value else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return Array(parts[1].utf8)
    }

    /// Whether `given` equals `expected`, taking the same time for every `given` of a length (no early exit on
    /// the first differing byte, which would let a caller find the token byte by byte from response times).
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        guard !given.isEmpty else { return false }
        for index in expected.indices {
            difference |= expected[index] ^ given[index % given.count]
        }
        return difference == 0
    }
}
