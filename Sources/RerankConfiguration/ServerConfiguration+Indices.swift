import Foundation
import Ranking

extension ServerConfiguration {
    /// One entry of `indices`: how searches on the indices its patterns match are reranked, overriding the
    /// top-level `rerank` section key by key (a key left out takes the `rerank` section's value).
    ///
    /// Keys: `pattern` (required; an index name or pattern with `*` wildcards, or an array of them), `name`
    /// (default: the pattern when there is one; letters, digits, `-`, `_`, `.`; in `X-Rerank-Model`, logs and
    /// metrics), `enabled`, `window`, `budget_ms`, `weight`, `model`, `signals`, `rules` and `exploration`, read as
    /// the `rerank` keys of the same name are.
    ///
    /// ```json
    /// {"indices": [{"pattern": "recipes", "window": 20, "rules": [{"action": "pin", "ids": ["r-1"], "position": 0}]},
    ///              {"pattern": ["products", "products-eu-*"], "name": "products", "model": "products-model.json"}]}
    /// ```
    public struct IndexOverride: Sendable, Equatable {
        /// What `X-Rerank-Model`, the impression log (`query_attributes.index_config`) and metrics call the entry.
        public var name: String
        /// Index names or patterns (`*` matches any run of characters); see ``ServerConfiguration/indexOverride(for:)``.
        public var patterns: [String]
        public var enabled: Bool?
        public var window: Int?
        public var budgetMilliseconds: Double?
        public var weight: Double?
        /// A model file of the entry's own, served with statistics of its own; nil keeps the `rerank` ranker
        /// unless `signals` is set.
        public var model: String?
        /// The entry's own signal ranker (`[]`: none, the engine's order under the rules); nil keeps the `rerank`
        /// ranker unless `model` is set.
        public var signals: [SignalRanker.Signal]?
        public var rules: [BusinessRule]?
        public var exploration: Exploration?

        public init(name: String, patterns: [String]) {
            self.name = name
            self.patterns = patterns
        }

        /// Whether the entry ranks with a model or signals of its own rather than the `rerank` section's ranker
        /// (and, for a model, the statistics the served model reads).
        public var ownsRanker: Bool { model != nil || signals != nil }
    }

    /// The `rerank` section as one `indices` entry sees it: the entry's keys over the section's.
    ///
    /// `model` and `signals` go together: an entry naming either ranks with it alone (its `model` wins over its
    /// `signals`, as in the `rerank` section); an entry naming neither keeps the section's ranker.
    public func rerank(for entry: IndexOverride) -> Rerank {
        var settings = rerank
        settings.enabled = entry.enabled ?? settings.enabled
        settings.window = entry.window ?? settings.window
        settings.budgetMilliseconds = entry.budgetMilliseconds ?? settings.budgetMilliseconds
        settings.weight = entry.weight ?? settings.weight
        if entry.ownsRanker {
            settings.model = entry.model
            settings.signals = entry.signals ?? []
        }
        settings.rules = entry.rules ?? settings.rules
        settings.exploration = entry.exploration ?? settings.exploration
        return settings
    }

    /// Reads the `indices` array; every error names the key path, e.g. `indices[1].window`.
    static func indexOverrides(_ readers: [ConfigReader]) throws(ConfigurationError) -> [IndexOverride] {
        var entries: [IndexOverride] = []
        for reader in readers {
            let entry = try indexOverride(reader)
            if entries.contains(where: { $0.name == entry.name }) {
                throw ConfigurationError.invalidValue("configuration key '\(reader.key("name"))': the name '\(entry.name)' is used by two indices entries; give each a name of its own")
            }
            entries.append(entry)
        }
        return entries
    }

    private static func indexOverride(_ reader: ConfigReader) throws(ConfigurationError) -> IndexOverride {
        try reader.requireKnownKeys([
            "pattern", "name", "enabled", "window", "budget_ms", "weight", "model", "signals", "rules", "exploration",
        ])
        guard let patterns = try reader.strings("pattern"), !patterns.isEmpty else {
            throw ConfigurationError.missingKey("configuration key '\(reader.key("pattern"))' is required: the index name or pattern (e.g. products-*), or an array of them, whose searches this entry serves")
        }
        for pattern in patterns where !IndexPattern.isValid(pattern) {
            throw ConfigurationError.invalidValue("configuration key '\(reader.key("pattern"))': '\(pattern)' is not an index pattern: give one index name or pattern without commas or spaces (an array for several)")
        }
        let name = try reader.string("name") ?? (patterns.count == 1 ? patterns[0] : nil)
        guard let name else {
            throw ConfigurationError.missingKey("configuration key '\(reader.key("name"))' is required when 'pattern' holds several patterns: what headers, logs and metrics call the entry")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.*")
        guard !name.isEmpty, name.allSatisfy(allowed.contains), name != Self.defaultIndexConfig else {
            throw ConfigurationError.invalidValue("configuration key '\(reader.key("name"))' must be letters, digits, '-', '_', '.' or '*' other than \(Self.defaultIndexConfig), not '\(name)'")
        }
        var entry = IndexOverride(name: name, patterns: patterns)
        entry.enabled = try reader.bool("enabled")
        entry.window = try reader.int("window", in: 1...10_000)
        entry.budgetMilliseconds = try reader.double("budget_ms", in: 0...60_000)
        entry.weight = try reader.double("weight", in: 0...1)
        entry.model = try reader.string("model")
        if let model = entry.model, !FileManager.default.isReadableFile(atPath: model) {
            throw ConfigurationError.unservableModel("configuration key '\(reader.key("model"))': no readable model file at '\(model)'; give a file written by `rerank train`")
        }
        if let signals = try reader.objects("signals") {
            entry.signals = try signals.map { (signal) throws(ConfigurationError) in try Self.signal(signal) }
        }
        if let rules = try reader.objects("rules") {
            entry.rules = try rules.map { (rule) throws(ConfigurationError) in try Self.rule(rule) }
        }
        entry.exploration = try reader.object("exploration").map { reader throws(ConfigurationError) in try Self.exploration(reader) }
        return entry
    }

    /// What metrics call the `rerank` section when `indices` entries serve some searches.
    public static let defaultIndexConfig = "default"

    /// Checks the `indices` entries against the rest of the configuration.
    func checkIndexOverrides() throws(ConfigurationError) {
        for (position, entry) in indices.enumerated() {
            let key = "indices[\(position)]"
            if let window = entry.window, window > rerank.maxWindow {
                throw ConfigurationError.invalidValue("\(key).window (\(window)) must not exceed rerank.max_window (\(rerank.maxWindow))")
            }
            if let exploration = entry.exploration { try Self.check(exploration, key: "\(key).exploration") }
            if !experiments.isEmpty, entry.patterns.contains(where: { $0.allSatisfy { $0 == "*" } }) {
                throw ConfigurationError.invalidValue("\(key).pattern '*' serves every search that names an index, and experiments apply to the rerank section only, so they would take none of them; narrow the pattern or move the experiments' settings into rerank")
            }
        }
    }

    /// The position in `indices` of the entry serving a search on `expression`, the index part of its path or its
    /// msearch header's `index` (comma-separated names, percent-encoded or not): the first entry one of whose
    /// patterns matches each index the expression names. nil (the `rerank` section serves) for a search naming no
    /// index (`/_search`, `/_all/_search`) or one no entry matches entirely.
    ///
    /// Names are matched as text: an alias matches an entry by the alias's name, a wildcard expression in the
    /// request (`products-*`) only a pattern that matches its text (`products-*` or `*`).
    public func indexOverride(for expression: String?) -> Int? { Self.indexOverride(for: expression, in: indices) }

    /// The position in `entries` of the entry serving a search on `expression` (see ``indexOverride(for:)``).
    public static func indexOverride(for expression: String?, in indices: [IndexOverride]) -> Int? {
        guard !indices.isEmpty, let expression else { return nil }
        let decoded = expression.removingPercentEncoding ?? expression
        let names = decoded.split(separator: ",", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty, names != ["_all"] else { return nil }
        return indices.firstIndex { entry in
            names.allSatisfy { name in entry.patterns.contains { IndexPattern.matches($0, name) } }
        }
    }
}

/// Index patterns as `indices` entries write them: names with `*` wildcards.
enum IndexPattern {
    /// A pattern is one non-empty expression without commas or white space.
    static func isValid(_ pattern: String) -> Bool {
        !pattern.isEmpty && !pattern.contains(where: { $0 == "," || $0.isWhitespace })
    }

    /// Whether `name` matches `pattern`, where `*` matches any run of characters (none included).
    static func matches(_ pattern: String, _ name: String) -> Bool {
        let pattern = Array(pattern.unicodeScalars)
        let name = Array(name.unicodeScalars)
        var p = 0
        var n = 0
        var star: Int?
        var resume = 0
        while n < name.count {
            if p < pattern.count, pattern[p] != "*", pattern[p] == name[n] {
                p += 1
                n += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = n
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                n = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
