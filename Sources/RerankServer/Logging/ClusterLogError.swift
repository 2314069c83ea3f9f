/// Why log records could not reach the cluster or the spool, in words that say what went wrong and how to fix it.
///
/// These never reach a client: an appended record is already durable in the spool, so the cluster sink logs
/// them and retries. Errors of the same kind are equal, whatever their message (as `LTRError` and
/// AsyncHTTPClient's `HTTPClientError`).
struct ClusterLogError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case unreachable
        case refused
        case unreadableAnswer
        case indexNotCreated
        case spool
    }

    private let code: Code
    /// What went wrong and how to fix it.
    let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }

    static func == (lhs: ClusterLogError, rhs: ClusterLogError) -> Bool { lhs.code == rhs.code }

    /// True when the cluster (not the local spool) failed: the records stay spooled and are sent again.
    var isClusterFailure: Bool { code != .spool }

    /// The cluster could not be reached or did not answer in time.
    static func unreachable(_ index: String, _ detail: String) -> ClusterLogError {
        .init(
            .unreachable,
            "cannot write \(index) to the cluster: \(detail); the records stay in the spool and are sent when the cluster answers"
        )
    }

    /// The cluster refused a whole `_bulk` or index-creation request.
    static func refused(_ index: String, request: String, status: Int, reason: String) -> ClusterLogError {
        let hint =
            switch status {
            case 401, 403: "check upstream.username and upstream.password and that the user may write \(index)"
            case 413: "raise the cluster's http.max_content_length"
            case 429, 500...: "the cluster is overloaded or failing"
            default: "check the cluster's logs"
            }
        return .init(
            .refused,
            "the cluster answered \(request) for \(index) with status \(status): \(reason); \(hint); the records stay in the spool and are sent again"
        )
    }

    /// A `_bulk` answer that is not the JSON OpenSearch sends.
    static func unreadableAnswer(_ index: String, _ detail: String) -> ClusterLogError {
        .init(
            .unreadableAnswer,
            "the cluster's _bulk answer for \(index) could not be read (\(detail)); is upstream.urls an OpenSearch cluster? The records stay in the spool and are sent again"
        )
    }

    /// The cluster refused to create a UBI index for a reason retrying will not fix; records are still sent.
    static func indexNotCreated(_ index: String, status: Int, reason: String) -> ClusterLogError {
        .init(
            .indexNotCreated,
            "could not create the \(index) index (status \(status): \(reason)); records are still sent and the cluster maps them on its own; create the index from mappings/\(index).json for the UBI mapping"
        )
    }

    /// A spool file, the cursor or the rejected file could not be read or written.
    static func spool(_ path: String, _ detail: String) -> ClusterLogError {
        .init(
            .spool,
            "cluster log spool \(path) failed: \(detail); free disk space or make log.spool_dir writable by the sidecar"
        )
    }
}
