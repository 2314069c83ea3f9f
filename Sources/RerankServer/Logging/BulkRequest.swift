import NIOCore
import RerankJSON

/// A `_bulk` request of spooled records for one UBI index, and the reading of its answer item by item.
///
/// Every record goes as `create` with its deterministic id, so a record the cluster already holds answers 409
/// and counts as stored: sending a batch again never stores a record twice.
///
/// ```swift
/// let request = BulkRequest(index: "ubi_events", items: [.init(id: "a1", document: line)])
/// let answer = try await cluster.send(method: .POST, target: "/_bulk", headers: headers, body: request.body)
/// let outcomes = try request.outcomes(of: Array(buffer: answer.body))
/// ```
struct BulkRequest: Sendable {
    /// One record: its document id and its JSON bytes as spooled.
    struct Item: Sendable {
        var id: String
        var document: [UInt8]
    }

    /// What became of one item.
    enum Outcome: Sendable {
        /// Created, or already there (409).
        case stored
        /// Refused for now (429, 5xx): send it again.
        case retry(String)
        /// Refused for good (a mapping conflict, a bad id, ...): the OpenSearch error object.
        case rejected(status: Int, error: JSONObject)
    }

    let index: String
    var items: [Item]

    /// The NDJSON body: an action line and the document for each item.
    var body: ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(items.reduce(0) { $0 + $1.document.count + $1.id.utf8.count + index.utf8.count + 40 })
        for item in items {
            let action = JSONObject(["_index": .string(index), "_id": .string(item.id)])
            JSONWriter.write(.object(JSONObject(["create": .object(action)])), into: &bytes)
            bytes.append(UInt8(ascii: "\n"))
            bytes += item.document
            bytes.append(UInt8(ascii: "\n"))
        }
        return ByteBuffer(bytes: bytes)
    }

    /// The outcome of each item, in request order, from a status 200 answer.
    ///
    /// - Throws: ``ClusterLogError`` when the answer is not a `_bulk` answer for these items.
    func outcomes(of answer: [UInt8]) throws(ClusterLogError) -> [Outcome] {
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(answer)
        } catch {
            throw .unreadableAnswer(index, error.description)
        }
        guard let root = parsed.objectValue else { throw .unreadableAnswer(index, "not a JSON object") }
        guard let answered = root["items"]?.arrayValue, answered.count == items.count else {
            throw .unreadableAnswer(index, "expected \(items.count) items")
        }
        if root["errors"] == .bool(false) { return Array(repeating: .stored, count: items.count) }
        return answered.map { item in
            let result = item.objectValue?.members.first?.value.objectValue ?? JSONObject()
            let status = result["status"]?.intValue ?? 0
            let error = result["error"]?.objectValue ?? JSONObject(["reason": .string("no status in the _bulk item")])
            switch status {
            case 200..<300, 409: return .stored
            case 429, 500...: return .retry(error["reason"]?.stringValue ?? "status \(status)")
            default: return .rejected(status: status, error: error)
            }
        }
    }
}
