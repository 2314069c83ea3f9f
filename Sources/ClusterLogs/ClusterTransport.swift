import NIOHTTP1
import RerankJSON

/// Sends JSON requests to an OpenSearch cluster: the sidecar's pooled upstream client, or the command line's
/// ``HTTPClusterTransport``.
public protocol ClusterTransport: Sendable {
    /// Sends `body` (JSON) to `target` (path and query) and reads the whole answer.
    ///
    /// - Throws: when the cluster cannot be reached or does not answer in time; an error status is an answer.
    func exchange(_ method: HTTPMethod, _ target: String, body: [UInt8]?) async throws -> ClusterAnswer

    /// Where the cluster is, for messages.
    var location: String { get }
}

/// A cluster's answer: its status and body.
public struct ClusterAnswer: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

extension ClusterTransport {
    /// Sends a JSON body and parses the answer, which must be a 2xx JSON object.
    ///
    /// - Throws: ``ClusterReadError`` naming the request and the cluster's reason.
    func json(_ method: HTTPMethod, _ target: String, _ body: JSONObject? = nil) async throws(ClusterReadError) -> JSONObject {
        let answer: ClusterAnswer
        do {
            answer = try await exchange(method, target, body: body.map { JSONWriter.bytes(.object($0)) })
        } catch {
            throw .unreachable(location, request: "\(method) \(target)", String(describing: error))
        }
        let parsed = try? JSONParser.parse(answer.body)
        guard (200..<300).contains(answer.status), let object = parsed?.objectValue else {
            throw .refused(request: "\(method) \(target)", status: answer.status, reason: Self.reason(parsed, answer.body))
        }
        return object
    }

    /// The `error.reason` (with its root cause) of an OpenSearch error answer, else the start of the body.
    private static func reason(_ parsed: JSONValue?, _ body: [UInt8]) -> String {
        guard let error = parsed?.objectValue?["error"] else { return String(decoding: body.prefix(300), as: UTF8.self) }
        if let reason = error.objectValue?["reason"]?.stringValue {
            let cause = error.objectValue?["root_cause"]?.arrayValue?.first?.objectValue?["reason"]?.stringValue
            return cause.map { $0 == reason ? reason : "\(reason) (\($0))" } ?? reason
        }
        return error.stringValue ?? String(decoding: body.prefix(300), as: UTF8.self)
    }
}

/// Reading the cluster's UBI indices failed.
public enum ClusterReadError: Error, Sendable, CustomStringConvertible {
    /// The cluster could not be reached or did not answer in time.
    case unreachable(String, request: String, String)
    /// The cluster answered an error status, or something that is not a JSON object.
    case refused(request: String, status: Int, reason: String)
    /// An answer lacked what every search answer has.
    case unexpectedAnswer(request: String, String)
    /// What was read could not be written to a local file.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let location, let request, let detail):
            "cannot reach the cluster at \(location) (\(request)): \(detail)"
        case .refused(let request, let status, let reason):
            "the cluster refused \(request) with status \(status): \(reason)"
        case .unexpectedAnswer(let request, let detail):
            "unexpected answer to \(request): \(detail)"
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason)"
        }
    }
}
