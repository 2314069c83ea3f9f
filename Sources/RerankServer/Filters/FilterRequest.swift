import RerankCore
import RerankJSON

/// What one request says about filters: the `on_request` filters it names (`ext.rerank.filters`) and the
/// values of the placeholders (`ext.rerank.filter_values`).
///
/// ```json
/// "ext": {"rerank": {"filters": ["in_category"], "filter_values": {"categories": ["shoes", "bags"], "max_price": 50}}}
/// ```
struct FilterRequest: Sendable {
    var names: [String] = []
    var values = JSONObject()
    /// What errors call the object the keys came from: `ext.rerank`, or nothing for a rank request's body.
    var prefix = "ext.rerank"

    init() {}

    /// Reads `filters` and `filter_values` from a search's `ext.rerank` (or a rank request's body); shapes only,
    /// names and placeholders are checked against the configuration by ``FilterSet``.
    ///
    /// - Throws: ``RerankError`` (400) naming the field when `filters` is not an array of strings or
    ///   `filter_values` not an object.
    init(_ rerank: JSONValue?, prefix: String = "ext.rerank") throws(RerankError) {
        self.prefix = prefix
        guard let object = rerank?.objectValue else { return }
        if let value = object["filters"] {
            let names = value.arrayValue?.compactMap(\.stringValue)
            guard let names, names.count == value.arrayValue?.count else {
                throw .invalidRerankExtension(field: field("filters"), "must be an array of configured filter names (strings)")
            }
            self.names = names
        }
        if let value = object["filter_values"] {
            guard let values = value.objectValue else {
                throw .invalidRerankExtension(field: field("filter_values"), "must be an object of placeholder values, e.g. {\"max_price\": 50}")
            }
            self.values = values
        }
    }

    /// The full name of a key under the request's object, for errors.
    func field(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }
}
