import Ranking
import RerankCore
import RerankJSON

/// What a search must never return, as query clauses: the request's `exclude_ids`, the `exclude` rules and the
/// request's filters (``ActiveFilter``). The one place that builds the query a search is forwarded with.
///
/// A search the sidecar reranks drops excluded hits itself. One it forwards without reranking (sorted, scrolled,
/// past `max_window`, reranking off for its arm, ...) gets the clauses around its query, so the cluster leaves
/// the documents out and totals, pages and aggregations stay right: exclusions (ids, rules, history filters) as
/// a `bool.must_not`, include filters as `terms` and range filters as `range` in a `bool.filter`. Filters go
/// into reranked searches' queries as well, so the reranked window holds only documents they admit. A rule or
/// include filter on a field matches the field's exact values (`terms`): use it on keyword, boolean and numeric
/// fields.
struct ExclusionFilter: Sendable {
    let clauses: [JSONValue]
    /// Clauses every returned document must match (include and range filters).
    let required: [JSONValue]

    /// nil when nothing is excluded or required.
    init?(rules: [BusinessRule], excludedIDs: Set<String>, filters: [ActiveFilter] = []) {
        var clauses: [JSONValue] = []
        var required: [JSONValue] = []
        func ids(_ ids: Set<String>) -> JSONValue { Self.object("ids", Self.object("values", .array(ids.sorted().map(JSONValue.string)))) }
        if !excludedIDs.isEmpty { clauses.append(ids(excludedIDs)) }
        for rule in rules where rule.action == .exclude {
            switch rule.match {
            case .ids(let excluded): clauses.append(ids(excluded))
            case .field(let path, let values): clauses.append(Self.object("terms", Self.object(path, .array(values))))
            }
        }
        for filter in filters {
            switch filter.test {
            case .excludeIDs(let excluded): clauses.append(ids(excluded))
            case .include(let field, let values): required.append(Self.object("terms", Self.object(field, .array(values))))
            case .range(let field, let bounds): required.append(Self.object("range", Self.object(field, .object(bounds.json))))
            }
        }
        guard !clauses.isEmpty || !required.isEmpty else { return nil }
        self.clauses = clauses
        self.required = required
    }

    /// The search's body and query string with its query wrapped: `{"bool": {"must": [query], "filter": [...],
    /// "must_not": [...]}}`, which scores as the query did. A `q` parameter (and its `df`, `default_operator`, `analyzer`,
    /// `lenient`, `analyze_wildcard`) moves into the body as the `query_string` query it stands for.
    ///
    /// - Throws: ``RerankError`` (400) when the body is not a JSON object.
    func applied(to body: [UInt8], query: String?) throws(RerankError) -> (body: [UInt8], query: String?) {
        var object = try SearchPlanner.object(of: body)
        var parameters = QueryParameters(query)
        var bool = JSONObject()
        if let text = parameters.value("q") {
            var queryString = JSONObject([.init(key: "query", value: .string(text))])
            for key in Self.queryStringParameters {
                guard let value = parameters.value(key) else { continue }
                let name = key == "df" ? "default_field" : key
                queryString[name] = ["lenient", "analyze_wildcard"].contains(key) ? .bool(value != "false") : .string(value)
                parameters.remove(key)
            }
            parameters.remove("q")
            bool["must"] = .array([Self.object("query_string", .object(queryString))])
        } else if let query = object["query"] {
            bool["must"] = .array([query])
        }
        if !required.isEmpty { bool["filter"] = .array(required) }
        if !clauses.isEmpty { bool["must_not"] = .array(clauses) }
        object["query"] = Self.object("bool", .object(bool))
        return (JSONWriter.bytes(.object(object)), parameters.encoded)
    }

    private static func object(_ key: String, _ value: JSONValue) -> JSONValue { .object(JSONObject([.init(key: key, value: value)])) }

    private static let queryStringParameters = ["df", "default_operator", "analyzer", "lenient", "analyze_wildcard"]
}
