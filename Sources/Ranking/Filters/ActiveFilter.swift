import RerankJSON

/// A filter as it holds for one request, its placeholders filled and its history looked up.
public struct ActiveFilter: Sendable, Equatable {
    public enum Test: Sendable, Equatable {
        /// Leaves out these document ids (a history filter's items).
        case excludeIDs(Set<String>)
        /// Keeps only hits whose field holds one of the values.
        case include(field: String, values: [JSONValue])
        /// Keeps only hits whose numeric field lies within the bounds (nil: unbounded on that side).
        case range(field: String, RangeBounds)
    }

    /// The configured filter's name, shown by `explain`.
    public var name: String
    public var test: Test

    public init(name: String, test: Test) {
        self.name = name
        self.test = test
    }

    /// Whether a hit may be returned. A hit without the field an include or range filter reads is left out, as
    /// the cluster's `terms` and `range` queries leave it out.
    public func admits(_ hit: RankableHit) -> Bool {
        switch test {
        case .excludeIDs(let ids):
            return !ids.contains(hit.id)
        case .include(let field, let values):
            guard let value = hit.fields[field] else { return false }
            if case .array(let elements) = value {
                return elements.contains { element in values.contains { BusinessRule.equal($0, element) } }
            }
            return values.contains { BusinessRule.equal($0, value) }
        case .range(let field, let bounds):
            guard let value = hit.fields[field] else { return false }
            if case .array(let elements) = value { return elements.contains { $0.doubleValue.map(bounds.contains) ?? false } }
            return value.doubleValue.map(bounds.contains) ?? false
        }
    }

    /// The source field the filter reads, if any.
    public var field: String? {
        switch test {
        case .excludeIDs: nil
        case .include(let field, _), .range(let field, _): field
        }
    }
}

/// The bounds of a numeric range filter; nil leaves that side open.
public struct RangeBounds: Sendable, Equatable {
    public var gte: Double?
    public var gt: Double?
    public var lte: Double?
    public var lt: Double?

    public init(gte: Double? = nil, gt: Double? = nil, lte: Double? = nil, lt: Double? = nil) {
        self.gte = gte
        self.gt = gt
        self.lte = lte
        self.lt = lt
    }

    /// Whether `value` lies within every bound.
    public func contains(_ value: Double) -> Bool {
        if let gte, !(value >= gte) { return false }
        if let gt, !(value > gt) { return false }
        if let lte, !(value <= lte) { return false }
        if let lt, !(value < lt) { return false }
        return true
    }

    /// Whether no bound is set.
    public var isEmpty: Bool { gte == nil && gt == nil && lte == nil && lt == nil }

    /// The bounds as a `range` query's parameters, e.g. `{"gte": 10, "lte": 50}`.
    public var json: JSONObject {
        var object = JSONObject()
        for (key, bound) in [("gte", gte), ("gt", gt), ("lte", lte), ("lt", lt)] {
            if let bound { object[key] = .double(bound) }
        }
        return object
    }
}
