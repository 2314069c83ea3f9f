import Ranking
import RerankCore
import RerankJSON

/// Items to rank for a person in context without a search: a `POST /_rerank/rank` body, or one line of a
/// `rerank batch` input.
///
/// ```json
/// {"items": ["sku-1", {"id": "sku-2", "fields": {"category": "shoes", "price": 49}}],
///  "query": "running", "user_id": "alice", "context": {"device": "mobile"}, "request_id": "carousel-7"}
/// ```
/// `items` is required: ids, or objects with an `id`, the fields the ranker and rules read (as a hit's
/// `_source`) and optionally a `score`, given for every item or none. The list's order is the engine's order the
/// ranker's score blends with (when no item has a score, earlier items score higher). `query` (text, for the
/// query features and the log) and `request_id` (echoed) are optional; every other key is read as a search's
/// `ext.rerank` (`user_id`, `session_id`, `context`, `weight`, `explain`, `exclude_ids`, `filters`,
/// `filter_values`).
public struct RankRequest: Sendable {
    public struct Item: Sendable, Equatable {
        public var id: String
        /// The item's score from whatever chose the list; nil when the list gave none.
        public var score: Double?
        /// The item's fields, as a hit's `_source`.
        public var fields: JSONObject?
    }

    public var items: [Item]
    public var query: String
    public var requestID: String?
    /// The index whose `indices` entry ranks the items (`POST /_rerank/rank`); nil, or one no entry matches: the
    /// `rerank` section. `rerank batch` does not read it.
    public var index: String?
    /// The other keys, read as `ext.rerank` is.
    var rerank: JSONObject

    /// Reads a body; at most `maxItems` items.
    ///
    /// - Throws: ``RerankError`` (400) naming the field at fault.
    public init(parsing bytes: [UInt8], maxItems: Int) throws(RerankError) {
        let object = try RequestBody.object(bytes, expected: "a rank request must be a JSON object with an items array")
        var items: [Item]?
        query = ""
        rerank = JSONObject()
        for member in object.members {
            switch member.key {
            case "items": items = try Self.items(member.value, maxItems: maxItems)
            case "query":
                guard let text = member.value.stringValue else { throw .invalidRerankExtension(field: "query", "must be a string") }
                query = text
            case "request_id":
                guard let id = member.value.stringValue else { throw .invalidRerankExtension(field: "request_id", "must be a string") }
                requestID = id
            case "index":
                guard let name = member.value.stringValue, !name.isEmpty else {
                    throw .invalidRerankExtension(field: "index", "must be an index name, e.g. \"recipes\"")
                }
                index = name
            default: rerank.members.append(member)
            }
        }
        guard let items else {
            throw .invalidRerankExtension(field: "items", "missing: give the item ids to rank, e.g. \"items\": [\"sku-1\", \"sku-2\"]")
        }
        self.items = items
    }

    private static func items(_ value: JSONValue, maxItems: Int) throws(RerankError) -> [Item] {
        guard let elements = value.arrayValue else {
            throw .invalidRerankExtension(field: "items", "must be an array of item ids or objects with an id")
        }
        guard elements.count <= maxItems else {
            throw .invalidRerankExtension(field: "items", "\(elements.count) items; at most \(maxItems) are ranked at once (rerank.max_window)")
        }
        var items: [Item] = []
        var seen = Set<String>()
        for (index, element) in elements.enumerated() {
            let field = "items[\(index)]"
            let item: Item
            if let id = element.stringValue {
                item = Item(id: id, score: nil, fields: nil)
            } else if let object = element.objectValue {
                item = try Self.item(object, field: field)
            } else {
                throw .invalidRerankExtension(field: field, "must be an item id or an object with an id, not \(element.kindName)")
            }
            guard !item.id.isEmpty else { throw .invalidRerankExtension(field: field, "the id is empty") }
            guard seen.insert(item.id).inserted else { throw .invalidRerankExtension(field: field, "'\(item.id)' is listed twice") }
            items.append(item)
        }
        let scored = items.filter { $0.score != nil }.count
        guard scored == 0 || scored == items.count else {
            throw .invalidRerankExtension(field: "items", "\(scored) of \(items.count) items have a score; give every item a score or none")
        }
        return items
    }

    private static func item(_ object: JSONObject, field: String) throws(RerankError) -> Item {
        var item = Item(id: "", score: nil, fields: nil)
        for member in object.members {
            switch member.key {
            case "id":
                guard let id = member.value.stringValue else { throw .invalidRerankExtension(field: "\(field).id", "must be a string") }
                item.id = id
            case "score":
                guard let score = member.value.doubleValue, score.isFinite else {
                    throw .invalidRerankExtension(field: "\(field).score", "must be a finite number")
                }
                item.score = score
            case "fields":
                guard let fields = member.value.objectValue else {
                    throw .invalidRerankExtension(field: "\(field).fields", "must be an object, as a hit's _source")
                }
                item.fields = fields
            default:
                throw .invalidRerankExtension(field: "\(field).\(member.key)", "unknown field; expected id, score or fields")
            }
        }
        return item
    }

    /// The items as a reranker sees hits: the list's order as the engine's, with the fields `selector` reads.
    func hits(_ selector: FieldSelector) -> [RankableHit] {
        items.enumerated().map { rank, item in
            let fields = item.fields.map { object in
                let bytes = JSONWriter.bytes(.object(object))
                return selector.values(in: bytes, object: 0..<bytes.count)
            }
            return RankableHit(
                id: item.id, searchScore: item.score ?? Double(items.count - rank), originalRank: rank, fields: fields ?? [:])
        }
    }
}
