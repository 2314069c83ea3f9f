import HTTPTypes

/// Decides which non-search requests may pass through to the cluster.
///
/// Reads pass: every GET, HEAD and OPTIONS, and POSTs to read endpoints (`_search`, `_count`, `_mget`, scroll,
/// point-in-time, ...). Writes (`_bulk`, document and index PUT/POST/DELETE, settings) are refused unless
/// `allow_writes` is set.
struct PassthroughPolicy: Sendable {
    var allowWrites: Bool
    /// Extra endpoints whose POSTs are reads, from `passthrough.read_endpoints`.
    var readEndpoints: [String]

    static let postReads = [
        "_search", "_msearch", "_count", "_mget", "_field_caps", "_validate", "_explain", "_render", "_rank_eval",
        "_termvectors", "_mtermvectors", "_analyze", "_pit",
    ]
    static let deleteReads = ["_search/scroll", "_search/point_in_time", "_pit"]

    func allows(_ method: HTTPRequest.Method, path: String) -> Bool {
        if allowWrites { return true }
        switch method {
        case .get, .head, .options:
            return true
        case .post:
            let endpoint = Self.endpoint(path)
            return (Self.postReads + readEndpoints).contains { Self.matches(endpoint, $0) }
        case .delete:
            let endpoint = Self.endpoint(path)
            return Self.deleteReads.contains { Self.matches(endpoint, $0) }
        default:
            return false
        }
    }

    /// The API part of a path: from its first `_` segment on (index names cannot start with `_`).
    static func endpoint(_ path: String) -> String {
        let segments = path.split(separator: "/")
        guard let first = segments.indices.first(where: { segments[$0].hasPrefix("_") && !($0 == 0 && segments[$0] == "_all") })
        else { return "" }
        return segments[first...].joined(separator: "/")
    }

    private static func matches(_ endpoint: String, _ name: String) -> Bool {
        endpoint == name || endpoint.hasPrefix(name + "/")
    }
}
