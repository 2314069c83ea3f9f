import RerankJSON

/// A storefront rule applied after scoring: boost, bury, pin or exclude hits by field value or id.
///
/// In configuration (`rules` array):
/// ```json
/// {"action": "bury", "field": "in_stock", "equals": false}
/// {"action": "boost", "field": "brand", "in": ["acme", "globex"], "amount": 0.2}
/// {"action": "pin", "ids": ["sku-1"], "position": 0}
/// {"action": "exclude", "field": "discontinued", "equals": true}
/// ```
public struct BusinessRule: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Adds `amount` to the blended score (0…1 scale; negative demotes).
        case boost(Double)
        /// Moves matching hits below all others, keeping their relative order.
        case bury
        /// Places matching hits at this 0-based position of the reranked list.
        case pin(Int)
        /// Removes matching hits from the results.
        case exclude
    }

    /// Which hits a rule applies to.
    public enum Match: Sendable, Equatable {
        /// The field (dotted path) equals one of the values; for array fields, any element does.
        case field(String, [JSONValue])
        /// The hit's `_id` is one of these.
        case ids(Set<String>)
    }

    public var action: Action
    public var match: Match

    public init(action: Action, match: Match) {
        self.action = action
        self.match = match
    }

    /// The source field the rule reads, if any.
    public var field: String? {
        if case .field(let path, _) = match { return path }
        return nil
    }

    /// Whether the rule applies to `hit`.
    public func matches(_ hit: RankableHit) -> Bool {
        switch match {
        case .ids(let ids):
            return ids.contains(hit.id)
        case .field(let path, let values):
            guard let value = hit.fields[path] else { return false }
            if case .array(let elements) = value {
                return elements.contains { element in values.contains { Self.equal($0, element) } }
            }
            return values.contains { Self.equal($0, value) }
        }
    }

    /// JSON equality where numbers compare by value (`1` equals `1.0`).
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if case .number(let a) = lhs, case .number(let b) = rhs { return Double(a) == Double(b) }
        return lhs == rhs
    }
}
