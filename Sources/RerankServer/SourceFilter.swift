import RerankJSON

/// What must be taken out of each returned hit because the sidecar widened the client's `_source` filter.
enum SourceEdit: Sendable, Equatable {
    /// The client asked for no source at all.
    case removeSource
    /// These top-level source fields were added for ranking only.
    case removeFields(Set<String>)

    /// The hit at `hit` of `bytes` as the client asked for it.
    func apply(_ bytes: [UInt8], hit: Range<Int>, source: Range<Int>?) -> [UInt8] {
        switch self {
        case .removeSource:
            return JSONObjectEditor.removingMembers(bytes, object: hit) { $0 == "_source" }
        case .removeFields(let names):
            guard let source else { return Array(bytes[hit]) }
            var output = Array(bytes[hit.lowerBound..<source.lowerBound])
            output += JSONObjectEditor.removingMembers(bytes, object: source) { names.contains($0) }
            output += bytes[source.upperBound..<hit.upperBound]
            return output
        }
    }
}

/// Widens a search's `_source` filter so the fields ranking reads come back, and says what to strip afterwards.
enum SourceFilter {
    /// Makes sure `fields` (dotted paths) are returned by the search in `body`.
    ///
    /// - Returns: the edit that gives the client the source it asked for, or nil when nothing was widened.
    static func widen(_ body: inout JSONObject, for fields: [String]) -> SourceEdit? {
        guard !fields.isEmpty, let source = body["_source"] else { return nil }
        switch source {
        case .bool(false):
            body["_source"] = .object(JSONObject(["includes": .array(fields.map(JSONValue.string))]))
            return .removeSource
        case .string, .array:
            let patterns = strings(source)
            let missing = fields.filter { !covered($0, by: patterns) }
            guard !missing.isEmpty else { return nil }
            body["_source"] = .array((patterns + missing).map(JSONValue.string))
            return removal(of: missing, clientPatterns: patterns)
        case .object(var filter):
            let includeKey = filter["include"] != nil ? "include" : "includes"
            let excludeKey = filter["exclude"] != nil ? "exclude" : "excludes"
            let includes = strings(filter[includeKey])
            let excludes = strings(filter[excludeKey])
            let missing = includes.isEmpty ? [] : fields.filter { !covered($0, by: includes) }
            let excluded = fields.filter { excludes.contains($0) }
            guard !missing.isEmpty || !excluded.isEmpty else { return nil }
            if !missing.isEmpty { filter[includeKey] = .array((includes + missing).map(JSONValue.string)) }
            if !excluded.isEmpty {
                filter[excludeKey] = .array(excludes.filter { !excluded.contains($0) }.map(JSONValue.string))
            }
            body["_source"] = .object(filter)
            return removal(of: missing + excluded, clientPatterns: includes)
        default:
            return nil
        }
    }

    /// Whether a source filter pattern list returns `field`.
    static func covered(_ field: String, by patterns: [String]) -> Bool {
        patterns.contains { pattern in
            pattern == field || field.hasPrefix(pattern + ".")
                || (pattern.hasSuffix("*") && field.hasPrefix(pattern.dropLast()))
        }
    }

    /// Top-level names to strip: only those no client pattern touches, so nothing the client asked for is lost.
    private static func removal(of added: [String], clientPatterns: [String]) -> SourceEdit? {
        let names = Set(added.map { String($0.split(separator: ".").first ?? Substring($0)) })
            .filter { name in !clientPatterns.contains { $0 == name || $0.hasPrefix(name + ".") || $0.hasPrefix("*") } }
        return names.isEmpty ? nil : .removeFields(names)
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let string): [string]
        case .array(let array): array.compactMap(\.stringValue)
        default: []
        }
    }
}
