import RerankJSON

/// A configured filter (`rerank.filters`): which documents a search may return, like an Amazon Personalize
/// filter expression with `$placeholders` filled per request.
///
/// ```json
/// {"name": "no_repurchase", "exclude": "history", "event": "purchase", "within": "30d"}
/// {"name": "not_again", "exclude": "session", "event": "click"}
/// {"name": "in_category", "include": {"field": "category", "in": "$categories"}, "apply": "on_request"}
/// {"name": "affordable", "range": {"field": "price", "gte": 10, "lte": "$max_price"}}
/// ```
/// A request names `on_request` filters in `ext.rerank.filters` and fills placeholders in
/// `ext.rerank.filter_values`; ``FilterSet`` turns them into the ``ActiveFilter``s of one request.
public struct HitFilter: Sendable, Equatable {
    /// When a filter applies.
    public enum Apply: String, Sendable, Equatable {
        /// To every request (the default); a condition whose placeholder the request leaves unfilled is left out.
        case always
        /// Only to requests that name it in `ext.rerank.filters`; each of its placeholders must then be filled.
        case onRequest = "on_request"
    }

    /// Whose events a history filter reads.
    public enum Scope: String, Sendable, Equatable {
        /// The user's (`user_id`), across sessions.
        case history
        /// The session's (`session_id`).
        case session
    }

    /// A value written in the configuration, or a `$placeholder` the request fills.
    public enum Value: Sendable, Equatable {
        case literal(JSONValue)
        case placeholder(String)

        /// Reads `"$name"` as a placeholder, anything else as a literal.
        public init(_ value: JSONValue) {
            if let text = value.stringValue, text.hasPrefix("$"), text.count > 1 {
                self = .placeholder(String(text.dropFirst()))
            } else {
                self = .literal(value)
            }
        }

        var placeholder: String? {
            if case .placeholder(let name) = self { return name }
            return nil
        }
    }

    /// A bound of a range filter.
    public enum Bound: String, Sendable, Equatable, CaseIterable {
        case gte, gt, lte, lt
    }

    public enum Kind: Sendable, Equatable {
        /// Leaves out items with an `event` (an interaction kind's UBI name: click, add_to_cart, purchase) in the
        /// user's or session's history, within the last `within` seconds (nil: whatever the history remembers).
        case exclude(Scope, event: String, within: Double?)
        /// Keeps only hits whose `field` (dotted path) holds one of the values; for array fields, any element.
        case include(field: String, values: Value)
        /// Keeps only hits whose numeric `field` lies within the bounds.
        case range(field: String, bounds: [(Bound, Value)])

        public static func == (lhs: Kind, rhs: Kind) -> Bool {
            switch (lhs, rhs) {
            case let (.exclude(a, b, c), .exclude(d, e, f)): a == d && b == e && c == f
            case let (.include(a, b), .include(c, d)): a == c && b == d
            case let (.range(a, b), .range(c, d)): a == c && b.map(\.0) == d.map(\.0) && b.map(\.1) == d.map(\.1)
            default: false
            }
        }
    }

    public var name: String
    public var apply: Apply
    public var kind: Kind

    public init(name: String, apply: Apply = .always, kind: Kind) {
        self.name = name
        self.apply = apply
        self.kind = kind
    }

    /// The source field the filter reads, if any.
    public var field: String? {
        switch kind {
        case .exclude: nil
        case .include(let field, _), .range(let field, _): field
        }
    }

    /// The placeholders the filter's values name, in the order written.
    public var placeholders: [String] {
        switch kind {
        case .exclude: []
        case .include(_, let values): values.placeholder.map { [$0] } ?? []
        case .range(_, let bounds): bounds.compactMap { $0.1.placeholder }
        }
    }
}
