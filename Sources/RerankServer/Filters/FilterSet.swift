import Features
import Ranking
import RerankCore
import RerankJSON

/// The configured filters (`rerank.filters`), turned into the ``ActiveFilter``s of each request.
///
/// A filter applies to a request when it is `always` or when the request names it in `ext.rerank.filters`.
/// Placeholders take their values from `ext.rerank.filter_values`: in a filter the request names, a placeholder
/// without a value is a 400; in an `always` filter the request does not name, the condition that reads it is left
/// out (an include filter then holds nothing, a range filter keeps its other bounds). History filters read
/// the request's user (`exclude: history`) or session (`exclude: session`) and hold nothing without one, or
/// without a history (`rerank batch`).
public struct FilterSet: Sendable {
    public let filters: [HitFilter]
    /// Source fields the filters read, which searches must return.
    let fields: [String]
    /// Reads those fields from each hit, beside the rankers' own.
    let selector: FieldSelector
    /// Every placeholder some filter names.
    private let placeholders: Set<String>

    public init(_ filters: [HitFilter] = []) {
        self.filters = filters
        var fields: [String] = []
        for field in filters.compactMap(\.field) where !fields.contains(field) { fields.append(field) }
        self.fields = fields
        selector = FieldSelector(paths: fields)
        placeholders = Set(filters.flatMap(\.placeholders))
    }

    /// Whether a filter applies to requests that do not name it (`apply: always`).
    var applyUnnamed: Bool { filters.contains { $0.apply == .always } }

    /// Whether a filter reads the users' or sessions' event history.
    var readsHistory: Bool {
        filters.contains { if case .exclude = $0.kind { true } else { false } }
    }

    /// How far back the history filters look, in seconds: the longest `within`; infinite when one has none; nil
    /// when no filter reads history.
    var historyHorizon: Double? {
        filters.reduce(nil) { longest, filter in
            guard case .exclude(_, _, let within) = filter.kind else { return longest }
            return max(longest ?? 0, within ?? .infinity)
        }
    }

    /// The filters that hold for one request.
    ///
    /// - Throws: ``RerankError`` (400) naming the field: an unknown filter name or placeholder, a missing value
    ///   for a named filter, a value of the wrong type.
    func resolve(_ request: FilterRequest, context: SearchContext, history: FilterHistory?) throws(RerankError) -> [ActiveFilter] {
        let known = filters.map(\.name)
        for (index, name) in request.names.enumerated() where !known.contains(name) {
            let expected = known.isEmpty ? "no filters are configured (rerank.filters)" : "configured filters: \(known.joined(separator: ", "))"
            throw .invalidRerankExtension(field: request.field("filters[\(index)]"), "unknown filter '\(name)'; \(expected)")
        }
        for member in request.values.members where !placeholders.contains(member.key) {
            let expected = placeholders.isEmpty ? "no filter has placeholders" : "placeholders: \(placeholders.sorted().joined(separator: ", "))"
            throw .invalidRerankExtension(field: request.field("filter_values.\(member.key)"), "no configured filter reads $\(member.key); \(expected)")
        }
        var active: [ActiveFilter] = []
        for filter in filters {
            let named = request.names.contains(filter.name)
            guard named || filter.apply == .always else { continue }
            let values = PlaceholderValues(request: request, filter: filter.name, required: named)
            if let test = try test(of: filter, values: values, context: context, history: history) {
                active.append(ActiveFilter(name: filter.name, test: test))
            }
        }
        return active
    }

    private func test(
        of filter: HitFilter, values: PlaceholderValues, context: SearchContext, history: FilterHistory?
    ) throws(RerankError) -> ActiveFilter.Test? {
        switch filter.kind {
        case .exclude(let scope, let event, let within):
            let owner: InteractionHistory.Owner = scope == .history ? .user : .session
            guard let history, let kind = InteractionKind(actionName: event),
                let id = owner == .user ? context.userID : context.sessionID
            else { return nil }
            let items = history.items(of: owner, id, kind: kind, since: within.map { context.time - $0 } ?? -.infinity)
            return items.isEmpty ? nil : .excludeIDs(items)
        case .include(let field, let value):
            guard let list = try values.list(value) else { return nil }
            return .include(field: field, values: list)
        case .range(let field, let bounds):
            var range = RangeBounds()
            for (bound, value) in bounds {
                guard let number = try values.number(value) else { continue }
                switch bound {
                case .gte: range.gte = number
                case .gt: range.gt = number
                case .lte: range.lte = number
                case .lt: range.lt = number
                }
            }
            return range.isEmpty ? nil : .range(field: field, range)
        }
    }
}

/// One filter's view of a request's `filter_values`.
private struct PlaceholderValues {
    let request: FilterRequest
    let filter: String
    /// Whether an unfilled placeholder is an error (the request named the filter) or leaves its condition out.
    let required: Bool

    /// The values an include filter keeps; nil when its placeholder is unfilled and not required.
    func list(_ value: HitFilter.Value) throws(RerankError) -> [JSONValue]? {
        switch value {
        case .literal(let literal): return literal.arrayValue ?? [literal]
        case .placeholder(let name):
            guard let given = try self.value(name) else { return nil }
            let list = given.arrayValue ?? [given]
            guard !list.isEmpty, list.allSatisfy({ $0.objectValue == nil && $0.arrayValue == nil && $0 != .null }) else {
                throw .invalidRerankExtension(
                    field: request.field("filter_values.\(name)"),
                    "must be a string, number or boolean, or a non-empty array of them (filter '\(filter)' keeps hits holding one of them)")
            }
            return list
        }
    }

    /// A range bound; nil when its placeholder is unfilled and not required.
    func number(_ value: HitFilter.Value) throws(RerankError) -> Double? {
        switch value {
        case .literal(let literal): return literal.doubleValue
        case .placeholder(let name):
            guard let given = try self.value(name) else { return nil }
            guard let number = given.doubleValue, number.isFinite else {
                throw .invalidRerankExtension(
                    field: request.field("filter_values.\(name)"), "must be a number (a bound of range filter '\(filter)'), not \(given.kindName)")
            }
            return number
        }
    }

    private func value(_ name: String) throws(RerankError) -> JSONValue? {
        if let value = request.values[name], value != .null { return value }
        guard !required else {
            throw .invalidRerankExtension(
                field: request.field("filter_values.\(name)"),
                "missing: filter '\(filter)' is named in \(request.field("filters")) and needs a value for $\(name)")
        }
        return nil
    }
}
