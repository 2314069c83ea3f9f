/// Values read from one `_source` object, by dotted path.
///
/// A ``FieldSelector`` fills one per hit: the paths are the selector's (one shared array), the values sit in a
/// small array beside them, and a lookup compares the few short path strings instead of hashing. Absent paths
/// read as nil; two values are equal when they hold the same present paths with the same values.
///
/// ```swift
/// let fields: SourceFields = ["popularity": .number("12")]
/// fields["popularity"]   // .number("12")
/// fields["missing"]      // nil
/// ```
public struct SourceFields: Sendable, Equatable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    // Usable from inlinable code: ``withValue(of:at:_:)`` reads them in the caller, without copying a value out.
    @usableFromInline private(set) var paths: [String]
    @usableFromInline private(set) var values: [JSONValue?]

    /// No value yet for any of `paths`.
    public init(paths: [String]) {
        self.paths = paths
        values = Array(repeating: nil, count: paths.count)
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        paths = elements.map(\.0)
        values = elements.map(\.1)
    }

    /// The value at `path`; setting a path not yet known adds it.
    public subscript(path: String) -> JSONValue? {
        get { paths.firstIndex(of: path).flatMap { values[$0] } }
        set {
            if let slot = paths.firstIndex(of: path) {
                values[slot] = newValue
            } else if let newValue {
                paths.append(path)
                values.append(newValue)
            }
        }
    }

    /// Where `path` is among the paths, for ``value(of:at:)``; nil when it is not.
    public func slot(of path: String) -> Int? { paths.firstIndex(of: path) }

    /// The value at `path`, looked for first at `slot`: where ``slot(of:)`` found it in fields read with the same
    /// paths, as every hit of one search is. Then it takes one comparison instead of a search; fields with other
    /// paths are searched.
    public func value(of path: String, at slot: Int?) -> JSONValue? {
        withValue(of: path, at: slot) { $0 }
    }

    /// Calls `body` with the value ``value(of:at:)`` gives, where it lies: a search reads several fields of every
    /// hit, and a copy of each would retain and release its text.
    @inlinable
    public func withValue<Result>(of path: String, at slot: Int?, _ body: (JSONValue?) -> Result) -> Result {
        if let slot, slot < paths.count, paths[slot] == path { return body(values[slot]) }
        guard let slot = paths.firstIndex(of: path) else { return body(nil) }
        return body(values[slot])
    }

    /// Sets the value of the path at `slot` of the paths this was made with.
    mutating func set(_ value: JSONValue, slot: Int) {
        values[slot] = value
    }

    /// The present paths and their values.
    public var present: [String: JSONValue] {
        var present: [String: JSONValue] = [:]
        for (path, value) in zip(paths, values) { present[path] = value }
        return present
    }

    public static func == (lhs: SourceFields, rhs: SourceFields) -> Bool { lhs.present == rhs.present }

    public var description: String { present.description }
}
