import RerankCore
import RerankJSON

/// How one search is forwarded and what is done with its response.
struct SearchPlan: Sendable {
    /// The body to forward; nil forwards the client's bytes unchanged.
    var body: [UInt8]?
    /// The query string to forward (without `?`); nil when there is none.
    var query: String?
    /// The page to cut from the reranked window; nil when the search is not reranked.
    var page: Page?
    /// The absolute 0-based position of the first hit the client is shown (the search's `from`), reranked or
    /// not; nil when the page has no offset (scroll, `search_after`) or the offset is invalid.
    var from: Int?
    /// Why the search is not reranked, for `X-Rerank-Status: skipped: <reason>`.
    var skipReason: String?
    /// The client's `ext.rerank`, to build the context from.
    var rerankExtension: JSONValue?
    /// What to strip from returned hits where the `_source` filter was widened for ranking.
    var sourceEdit: SourceEdit?
    /// The text the person searched for, for the impression log.
    var userQuery = ""
    /// The body and query string to forward when the search is not reranked after all: the client's, without
    /// `ext.rerank`.
    var unreranked: (body: [UInt8]?, query: String?) = (nil, nil)

    struct Page: Sendable, Equatable {
        var from: Int
        var size: Int
    }
}

/// Decides whether a search can be reranked and rewrites it to over-fetch the rerank window.
struct SearchPlanner: Sendable {
    var window: Int
    var maxWindow: Int

    /// Plans a search from its raw body (may be empty) and raw query string.
    ///
    /// - Parameter fields: source fields (dotted paths) the ranker and rules read.
    func plan(body bytes: [UInt8], query: String?, fields: [String] = []) throws(RerankError) -> SearchPlan {
        var object = try Self.object(of: bytes)
        var parameters = QueryParameters(query)
        let rerankExtension = Self.stripRerankExtension(&object)
        let stripped = rerankExtension != nil
        var plan = SearchPlan(body: stripped ? JSONWriter.bytes(.object(object)) : nil, query: query)
        plan.unreranked = (plan.body, query)
        plan.rerankExtension = rerankExtension
        plan.userQuery = QueryText.extract(body: object, queryParameter: parameters.value("q"))

        if parameters.has("scroll") { return plan.skipped("scroll") }
        if object["search_after"] != nil { return plan.skipped("search_after") }
        plan.from = Self.integer(parameters.value("from"), object["from"], default: 0).flatMap { $0 >= 0 ? $0 : nil }
        if object["collapse"] != nil { return plan.skipped("collapse") }
        if let sort = parameters.value("sort"), sort != "_score", !sort.hasPrefix("_score:") {
            return plan.skipped("sort")
        }
        if let sort = object["sort"], !Self.isScoreSort(sort) { return plan.skipped("sort") }
        guard let from = Self.integer(parameters.value("from"), object["from"], default: 0),
            let size = Self.integer(parameters.value("size"), object["size"], default: 10), from >= 0, size >= 0
        else { return plan.skipped("from/size not non-negative integers") }
        if size == 0 { return plan.skipped("size 0") }
        if size > maxWindow || from > maxWindow - size { return plan.skipped("page beyond max_window \(maxWindow)") }
        if parameters.has("filter_path") { return plan.skipped("filter_path") }

        parameters.remove("from")
        parameters.remove("size")
        object["from"] = .int(0)
        object["size"] = .int(max(window, from + size))
        SourceFilter.moveParameters(&parameters, into: &object)
        plan.sourceEdit = SourceFilter.widen(&object, for: fields)
        plan.body = JSONWriter.bytes(.object(object))
        plan.query = parameters.encoded
        plan.page = .init(from: from, size: size)
        return plan
    }

    /// Whether a search body may hold an `ext` member: the key written out, or any backslash (a key may be spelled
    /// with escapes). A body that may not holds no `ext.rerank`.
    static func mayHaveExtension(_ bytes: [UInt8]) -> Bool {
        let key = extensionKey
        for index in bytes.indices {
            if bytes[index] == 0x5C { return true }
            if bytes[index] == 0x22, index + key.count <= bytes.count, bytes[index..<index + key.count].elementsEqual(key) {
                return true
            }
        }
        return false
    }

    /// `"ext"`, quotes included.
    private static let extensionKey: [UInt8] = Array(#""ext""#.utf8)

    /// A search body's JSON object; an empty body is an empty object.
    static func object(of bytes: [UInt8]) throws(RerankError) -> JSONObject {
        guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return JSONObject() }
        return try RequestBody.object(bytes, expected: "the search body must be a JSON object")
    }

    /// Removes `ext.rerank` (and `ext` when it becomes empty): the cluster refuses unknown `ext` sections.
    static func stripRerankExtension(_ object: inout JSONObject) -> JSONValue? {
        guard var ext = object["ext"]?.objectValue, let rerank = ext["rerank"] else { return nil }
        ext["rerank"] = nil
        object["ext"] = ext.isEmpty ? nil : .object(ext)
        return rerank
    }

    /// Whether a `sort` value orders by relevance only.
    static func isScoreSort(_ sort: JSONValue) -> Bool {
        switch sort {
        case .string(let field): return field == "_score"
        case .array(let elements): return elements.allSatisfy(isScoreSort)
        case .object(let object):
            guard object.members.count == 1, object.members[0].key == "_score" else { return false }
            let order = object.members[0].value.stringValue ?? object.members[0].value.objectValue?["order"]?.stringValue
            return order == nil || order == "desc"
        default: return false
        }
    }

    /// The URL parameter if given (it overrides the body, as in OpenSearch), else the body's value, else `default`.
    static func integer(_ parameter: String?, _ body: JSONValue?, default: Int) -> Int? {
        if let parameter { return Int(parameter) }
        guard let body else { return `default` }
        if let int = body.intValue { return int }
        return body.stringValue.flatMap { Int($0) }
    }
}

extension SearchPlan {
    /// This search forwarded as the client sent it (without `ext.rerank`) and not reranked, for `reason`.
    func withoutReranking(_ reason: String) -> SearchPlan {
        var plan = skipped(reason)
        (plan.body, plan.query) = unreranked
        plan.sourceEdit = nil
        return plan
    }

    fileprivate func skipped(_ reason: String) -> SearchPlan {
        var plan = self
        plan.skipReason = reason
        plan.page = nil
        return plan
    }
}
