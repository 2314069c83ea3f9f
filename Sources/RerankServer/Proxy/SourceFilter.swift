import RerankJSON

/// A client's `_source` filter: include and exclude patterns (with `*` wildcards), as OpenSearch reads them.
struct SourcePatterns: Sendable, Equatable {
    var includes: [String]
    var excludes: [String]

    /// Whether the filter returns the field at dotted `path`.
    func returns(_ path: String) -> Bool {
        let included = includes.isEmpty || includes.contains { Self.covers($0, path) || Self.covers($0, path, asParent: true) }
        return included && !excludes.contains { Self.covers($0, path) }
    }

    /// Whether `pattern` matches `path` or one of its parents (an object returns its fields); with `asParent`,
    /// whether it reaches inside `path` (`price.amount` needs the top-level `price` kept).
    static func covers(_ pattern: String, _ path: String, asParent: Bool = false) -> Bool {
        if asParent { return pattern.hasPrefix(path + ".") }
        if glob(pattern, path) { return true }
        var prefix = Substring(path)
        while let dot = prefix.lastIndex(of: ".") {
            prefix = prefix[..<dot]
            if glob(pattern, String(prefix)) { return true }
        }
        return false
    }

    /// `*`-wildcard match of a whole string.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return pattern == text }
        var rest = Substring(text)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }
}

/// What must be taken out of each returned hit because the sidecar widened the client's `_source` filter.
enum SourceEdit: Sendable, Equatable {
    /// The client asked for no source at all.
    case removeSource
    /// Top-level source fields the client's filter would not have returned are removed.
    case restrict(SourcePatterns)

    /// The hit at `hit` of `bytes` as the client asked for it.
    func apply(_ bytes: [UInt8], hit: Range<Int>, source: Range<Int>?) -> [UInt8] {
        switch self {
        case .removeSource:
            return JSONObjectEditor.removingMembers(bytes, object: hit) { $0 == "_source" }
        case .restrict(let patterns):
            guard let source else { return Array(bytes[hit]) }
            var output = Array(bytes[hit.lowerBound..<source.lowerBound])
            output += JSONObjectEditor.removingMembers(bytes, object: source) { !patterns.returns($0) }
            output += bytes[source.upperBound..<hit.upperBound]
            return output
        }
    }
}

/// Widens a search's `_source` filter so the fields ranking reads come back, and says what to strip afterwards.
enum SourceFilter {
    /// Moves `_source`, `_source_includes` and `_source_excludes` URL parameters into the body, where they
    /// can be widened; OpenSearch lets the URL win, so they replace the body's filter.
    static func moveParameters(_ parameters: inout QueryParameters, into body: inout JSONObject) {
        let source = parameters.value("_source")
        let includes = parameters.value("_source_includes") ?? parameters.value("_source_include")
        let excludes = parameters.value("_source_excludes") ?? parameters.value("_source_exclude")
        guard source != nil || includes != nil || excludes != nil else { return }
        for name in ["_source", "_source_includes", "_source_include", "_source_excludes", "_source_exclude"] {
            parameters.remove(name)
        }
        func list(_ text: String?) -> JSONValue { .array((text ?? "").split(separator: ",").map { .string(String($0)) }) }
        switch source {
        case "false":
            body["_source"] = .bool(false)
        case "true", nil, "":
            if includes != nil || excludes != nil {
                body["_source"] = .object(JSONObject(["includes": list(includes), "excludes": list(excludes)]))
            }
        default:
            body["_source"] = .object(JSONObject(["includes": list(source), "excludes": list(excludes)]))
        }
    }

    /// Makes sure `fields` (dotted paths) are returned by the search in `body`.
    ///
    /// - Returns: the edit that gives the client the source it asked for, or nil when nothing was widened.
    static func widen(_ body: inout JSONObject, for fields: [String]) -> SourceEdit? {
        guard !fields.isEmpty, let source = body["_source"] else { return nil }
        let client: SourcePatterns
        var includeKey = "includes"
        var excludeKey = "excludes"
        switch source {
        case .bool(false):
            body["_source"] = .object(JSONObject(["includes": .array(fields.map(JSONValue.string))]))
            return .removeSource
        case .string, .array:
            client = SourcePatterns(includes: strings(source), excludes: [])
        case .object(let filter):
            if filter["include"] != nil { includeKey = "include" }
            if filter["exclude"] != nil { excludeKey = "exclude" }
            client = SourcePatterns(includes: strings(filter[includeKey]), excludes: strings(filter[excludeKey]))
        default:
            return nil
        }
        let hidden = fields.filter { !client.returns($0) }
        guard !hidden.isEmpty else { return nil }
        let includes = client.includes.isEmpty ? [] : client.includes + hidden.filter { !client.includes.contains($0) }
        let excludes = client.excludes.filter { pattern in !hidden.contains { SourcePatterns.covers(pattern, $0) } }
        body["_source"] = .object(JSONObject([
            includeKey: .array(includes.map(JSONValue.string)), excludeKey: .array(excludes.map(JSONValue.string)),
        ]))
        return .restrict(client)
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let string): [string]
        case .array(let array): array.compactMap(\.stringValue)
        default: []
        }
    }
}
