import RerankJSON

/// A feature a storefront declares from its own data: an item field (a dotted path in the hits' `_source` and
/// the items file), a user field (the users file) or a request context key (`ext.rerank.context.<key>`).
///
/// ```json
/// {"name": "rating", "source": "item", "field": "stats.rating", "type": "numeric"}
/// {"name": "age", "source": "item", "field": "released", "type": "age_days"}
/// {"name": "material", "source": "item", "field": "material", "type": "categorical"}
/// {"name": "segment", "source": "user", "field": "segment", "type": "categorical"}
/// {"name": "channel", "source": "context", "field": "channel", "type": "categorical"}
/// ```
public struct FeatureDeclaration: Sendable, Codable, Equatable {
    /// Where the value comes from.
    public enum Source: String, Sendable, Codable, CaseIterable {
        case item, user, context
    }

    /// How the value becomes feature columns.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The number itself (a missing value reads as 0).
        case numeric
        /// Days from a date (ISO 8601 text, or seconds since 1970) to the search.
        case ageDays = "age_days"
        /// Text values: an item's value gets the click rate of all items with that value and the searcher's share
        /// of interactions with it; a user's or context's value gets each item's click rate among searches with
        /// that value.
        case categorical
    }

    public var name: String
    public var source: Source
    public var field: String
    public var kind: Kind

    public init(name: String, source: Source, field: String, kind: Kind) {
        self.name = name
        self.source = source
        self.field = field
        self.kind = kind
    }

    private enum CodingKeys: String, CodingKey {
        case name, source, field
        case kind = "type"
    }

    /// The columns the declaration adds to every row, in order.
    public var columns: [String] {
        switch (kind, source) {
        case (.numeric, _), (.ageDays, _): [name]
        case (.categorical, .item): ["\(name)_ctr", "user_\(name)_share"]
        case (.categorical, _): ["item_ctr_by_\(name)"]
        }
    }

    /// The key the declaration's categorical `value` is counted under.
    func key(of value: String) -> UInt64 { FeatureKey.pair(FeatureKey.of("declared:\(name)"), FeatureKey.of(value)) }
}

/// The features a model declares beyond the built-in ones, in column order after ``FeatureSchema``'s.
public struct DeclaredFeatures: Sendable, Codable, Equatable {
    public let declarations: [FeatureDeclaration]
    /// Every declared column, in row order.
    public let columns: [String]
    /// The declarations by source, in order; derived once, as every search and every event reads them.
    private let bySource: [FeatureDeclaration.Source: [FeatureDeclaration]]

    public static let none = DeclaredFeatures(checked: [])

    private init(checked declarations: [FeatureDeclaration]) {
        self.declarations = declarations
        columns = declarations.flatMap(\.columns)
        bySource = Dictionary(grouping: declarations, by: \.source)
    }

    /// - Throws: ``DeclarationError`` for duplicate names, or columns clashing with built-in features.
    public init(_ declarations: [FeatureDeclaration]) throws(DeclarationError) {
        var seen = Set(FeatureSchema.names)
        for (index, declaration) in declarations.enumerated() {
            let at = "features[\(index)]"
            guard !declaration.name.isEmpty, declaration.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw .invalid(at, "name '\(declaration.name)' must be letters, digits and _")
            }
            guard !declaration.field.isEmpty else { throw .invalid(at, "field must not be empty") }
            if declaration.kind == .ageDays, declaration.source == .context {
                throw .invalid(at, "age_days reads an item or user date; a context value cannot be one")
            }
            for column in declaration.columns {
                guard seen.insert(column).inserted else {
                    throw .invalid(at, "column '\(column)' is already a feature; choose another name")
                }
            }
        }
        self.init(checked: declarations)
    }

    public init(from decoder: any Decoder) throws {
        try self.init(try [FeatureDeclaration](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws { try declarations.encode(to: encoder) }

    /// Reads the `features` array of a configuration (or a bare array).
    ///
    /// - Throws: ``DeclarationError`` naming the entry and key that is wrong.
    public init(json value: JSONValue) throws(DeclarationError) {
        guard let array = value.arrayValue else { throw .invalid("features", "must be an array of feature declarations") }
        var declarations: [FeatureDeclaration] = []
        for (index, element) in array.enumerated() {
            let at = "features[\(index)]"
            guard let object = element.objectValue else { throw .invalid(at, "must be an object") }
            for member in object.members where !["name", "source", "field", "type"].contains(member.key) {
                throw .invalid("\(at).\(member.key)", "unknown key; expected name, source, field and type")
            }
            func text(_ key: String) throws(DeclarationError) -> String {
                guard let text = object[key]?.stringValue else { throw .invalid("\(at).\(key)", "must be a string") }
                return text
            }
            let sourceName = try text("source")
            guard let source = FeatureDeclaration.Source(rawValue: sourceName) else {
                throw .invalid("\(at).source", "'\(sourceName)' is not item, user or context")
            }
            let kindName = try text("type")
            guard let kind = FeatureDeclaration.Kind(rawValue: kindName) else {
                throw .invalid("\(at).type", "'\(kindName)' is not numeric, categorical or age_days")
            }
            let field = try text("field")
            let name = object["name"] == nil ? Self.name(for: field) : try text("name")
            declarations.append(FeatureDeclaration(name: name, source: source, field: field, kind: kind))
        }
        try self.init(declarations)
    }

    /// A column name from a field path: `stats.rating` → `stats_rating`.
    private static func name(for field: String) -> String {
        String(field.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    public var isEmpty: Bool { declarations.isEmpty }

    /// The declarations reading `source`, in order: their values sit in this order in an item's or a user's lanes.
    public func declarations(of source: FeatureDeclaration.Source) -> [FeatureDeclaration] { bySource[source] ?? [] }

    /// The fields of `source` the declarations read.
    public func fields(of source: FeatureDeclaration.Source) -> [String] { declarations(of: source).map(\.field) }
}

/// A feature declaration that cannot be used.
public struct DeclarationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String

    static func invalid(_ field: String, _ message: String) -> DeclarationError {
        DeclarationError(field: field, message: message)
    }

    public var description: String { "\(field): \(message)" }
}
