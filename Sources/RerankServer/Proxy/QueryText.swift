import RerankJSON

/// The words a person typed, read back out of a search's query DSL for the impression log's `user_query`.
enum QueryText {
    /// The text of `match`, `multi_match`, `query_string` and similar clauses, found through `bool`,
    /// `dis_max`, `function_score`, `constant_score`, `boosting` and `nested`; `must_not` clauses are not
    /// what the person asked for and are skipped. Distinct texts are joined with a space; empty if none.
    static func extract(body: JSONObject, queryParameter: String? = nil) -> String {
        var texts: [String] = []
        if let queryParameter, !queryParameter.isEmpty { texts.append(queryParameter) }
        if let query = body["query"] { collect(query, into: &texts, depth: 0) }
        var seen = Set<String>()
        return texts.filter { seen.insert($0).inserted }.joined(separator: " ")
    }

    private static let textQueries: Set<String> = [
        "match", "match_phrase", "match_phrase_prefix", "match_bool_prefix", "intervals",
    ]
    private static let queryStringQueries: Set<String> = ["multi_match", "query_string", "simple_query_string", "combined_fields"]

    private static func collect(_ value: JSONValue, into texts: inout [String], depth: Int) {
        guard depth < 32, let object = value.objectValue else {
            if let array = value.arrayValue { array.forEach { collect($0, into: &texts, depth: depth + 1) } }
            return
        }
        for member in object.members {
            switch member.key {
            case let key where textQueries.contains(key):
                for field in member.value.objectValue?.members ?? [] {
                    if let text = field.value.stringValue ?? field.value.objectValue?["query"]?.stringValue {
                        texts.append(text)
                    }
                }
            case let key where queryStringQueries.contains(key):
                if let text = member.value.objectValue?["query"]?.stringValue { texts.append(text) }
            case "bool":
                for clause in member.value.objectValue?.members ?? [] where clause.key != "must_not" {
                    collect(clause.value, into: &texts, depth: depth + 1)
                }
            case "dis_max":
                if let queries = member.value.objectValue?["queries"] { collect(queries, into: &texts, depth: depth + 1) }
            case "function_score", "nested", "has_child", "has_parent", "script_score":
                if let query = member.value.objectValue?["query"] { collect(query, into: &texts, depth: depth + 1) }
            case "constant_score":
                if let filter = member.value.objectValue?["filter"] { collect(filter, into: &texts, depth: depth + 1) }
            case "boosting":
                if let positive = member.value.objectValue?["positive"] { collect(positive, into: &texts, depth: depth + 1) }
            default:
                continue
            }
        }
    }
}
