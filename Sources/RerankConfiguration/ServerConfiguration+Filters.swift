import Features
import Ranking
import RerankJSON

extension ServerConfiguration {
    /// Reads `rerank.filters`: named filters with unique names (see ``HitFilter``).
    ///
    /// - Throws: ``ConfigurationError`` naming the key at fault: an unknown key, a filter that is none or more
    ///   than one of `exclude`, `include` and `range`, an unknown event, a bad window, a duplicate name.
    static func filters(_ readers: [ConfigReader]) throws(ConfigurationError) -> [HitFilter] {
        var filters: [HitFilter] = []
        for reader in readers {
            let filter = try Self.filter(reader)
            guard !filters.contains(where: { $0.name == filter.name }) else {
                throw ConfigurationError.invalidValue("configuration key '\(reader.key("name"))': the name '\(filter.name)' is used by two filters; give each a name of its own")
            }
            filters.append(filter)
        }
        return filters
    }

    /// Reads `rerank.filter_history`: the bounds of the history that `exclude` filters read.
    static func filterHistory(_ reader: ConfigReader, into limits: inout InteractionHistory.Limits) throws(ConfigurationError) {
        try reader.requireKnownKeys(["max_users", "max_sessions", "max_entries_per_user"])
        limits.maxUsers = try reader.int("max_users", in: 1...100_000_000) ?? limits.maxUsers
        limits.maxSessions = try reader.int("max_sessions", in: 1...100_000_000) ?? limits.maxSessions
        limits.maxEventsPerKey = try reader.int("max_entries_per_user", in: 1...100_000) ?? limits.maxEventsPerKey
    }

    private static func filter(_ reader: ConfigReader) throws(ConfigurationError) -> HitFilter {
        try reader.requireKnownKeys(["name", "apply", "exclude", "event", "within", "include", "range"])
        guard let name = try reader.string("name"), !name.isEmpty,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw ConfigurationError.missingKey("configuration key '\(reader.key("name"))' is required: a name of letters, digits, _ and -, which requests use in ext.rerank.filters")
        }
        let applyName = try reader.string("apply") ?? HitFilter.Apply.always.rawValue
        guard let apply = HitFilter.Apply(rawValue: applyName) else {
            throw ConfigurationError.invalidValue("configuration key '\(reader.key("apply"))' must be always or on_request, not '\(applyName)'")
        }
        let kinds = ["exclude", "include", "range"].filter { reader.value($0) != nil }
        guard kinds.count == 1 else {
            throw ConfigurationError.missingKey("filter '\(reader.path)' (\(name)) needs exactly one of exclude, include or range; it has \(kinds.isEmpty ? "none" : kinds.joined(separator: " and "))")
        }
        if kinds[0] != "exclude" {
            for key in ["event", "within"] where reader.value(key) != nil {
                throw ConfigurationError.unknownKey("configuration key '\(reader.key(key))' belongs to exclude filters; \(kinds[0]) filters do not take it")
            }
        }
        let kind: HitFilter.Kind
        switch kinds[0] {
        case "exclude": kind = try Self.exclusion(reader)
        case "include": kind = try Self.inclusion(try reader.object("include")!)
        default: kind = try Self.range(try reader.object("range")!)
        }
        return HitFilter(name: name, apply: apply, kind: kind)
    }

    private static func exclusion(_ reader: ConfigReader) throws(ConfigurationError) -> HitFilter.Kind {
        let scopeName = try reader.string("exclude")
        guard let scopeName, let scope = HitFilter.Scope(rawValue: scopeName) else {
            throw ConfigurationError.invalidValue("configuration key '\(reader.key("exclude"))' must be history (the user's events) or session (this session's events)")
        }
        let events = InteractionKind.allCases.map(\.eventName)
        guard let eventName = try reader.string("event") else {
            throw ConfigurationError.missingKey("configuration key '\(reader.key("event"))' is required: the event type to exclude items after, one of \(events.joined(separator: ", "))")
        }
        guard let event = InteractionKind(actionName: eventName) else {
            throw ConfigurationError.invalidValue("configuration key '\(reader.key("event"))': unknown event '\(eventName)'; expected one of \(events.joined(separator: ", "))")
        }
        var within: Double?
        if let text = try reader.string("within") {
            guard let seconds = Self.duration(text) else {
                throw ConfigurationError.invalidValue("configuration key '\(reader.key("within"))' must be a positive duration with a unit, such as 90s, 15m, 12h or 30d, not '\(text)'")
            }
            within = seconds
        }
        return .exclude(scope, event: event.eventName, within: within)
    }

    private static func inclusion(_ reader: ConfigReader) throws(ConfigurationError) -> HitFilter.Kind {
        try reader.requireKnownKeys(["field", "in"])
        let field = try Self.field(reader)
        guard let values = reader.value("in") else {
            throw ConfigurationError.missingKey("configuration key '\(reader.key("in"))' is required: the values to keep, or a \"$placeholder\" the request fills")
        }
        let value = HitFilter.Value(values)
        if case .literal(let literal) = value {
            let list = literal.arrayValue ?? [literal]
            guard !list.isEmpty, list.allSatisfy({ $0.objectValue == nil && $0.arrayValue == nil && $0 != .null }) else {
                throw ConfigurationError.invalidValue("configuration key '\(reader.key("in"))' must be a \"$placeholder\", a value, or a non-empty array of strings, numbers or booleans")
            }
            return .include(field: field, values: .literal(.array(list)))
        }
        return .include(field: field, values: value)
    }

    private static func range(_ reader: ConfigReader) throws(ConfigurationError) -> HitFilter.Kind {
        try reader.requireKnownKeys(Set(["field"] + HitFilter.Bound.allCases.map(\.rawValue)))
        let field = try Self.field(reader)
        var bounds: [(HitFilter.Bound, HitFilter.Value)] = []
        for bound in HitFilter.Bound.allCases {
            guard let raw = reader.value(bound.rawValue) else { continue }
            let value = HitFilter.Value(raw)
            if case .literal(let literal) = value, literal.doubleValue == nil {
                throw ConfigurationError.invalidValue("configuration key '\(reader.key(bound.rawValue))' must be a number or a \"$placeholder\", not \(literal.kindName)")
            }
            bounds.append((bound, value))
        }
        guard !bounds.isEmpty else {
            throw ConfigurationError.missingKey("range filter '\(reader.path)' needs at least one of gte, gt, lte, lt")
        }
        return .range(field: field, bounds: bounds)
    }

    private static func field(_ reader: ConfigReader) throws(ConfigurationError) -> String {
        guard let field = try reader.string("field"), !field.isEmpty else {
            throw ConfigurationError.missingKey("configuration key '\(reader.key("field"))' is required: the source field (dotted path) to filter on")
        }
        return field
    }

    /// Seconds in `30d`, `12h`, `15m` or `90s`; nil when not a positive duration with one of those units.
    static func duration(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount > 0, amount.isFinite else {
            return nil
        }
        return amount * unit
    }
}
