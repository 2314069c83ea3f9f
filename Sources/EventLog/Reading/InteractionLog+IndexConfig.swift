extension InteractionLog {
    /// The `query_attributes` key naming the `indices` entry of the sidecar's configuration that served a search;
    /// absent for searches the `rerank` section served.
    public static let indexConfigKey = "index_config"

    /// The index config that served `query`: the `indices` entry's name, nil for the `rerank` section.
    public static func indexConfig(of query: UBIQuery) -> String? {
        query.attributes[indexConfigKey]?.stringValue
    }

    /// The part of the log served by the index configs `keep` accepts (nil: the `rerank` section): their searches,
    /// and the events joined to those searches by `query_id`. Events joined to no search of the log (no
    /// `query_id`, or one the log does not hold) count as the `rerank` section's.
    ///
    /// ```swift
    /// let recipes = log.servedBy { $0 == "recipes" }   // what the "recipes" entry's model learns from
    /// ```
    public func servedBy(_ keep: (String?) -> Bool) -> InteractionLog {
        var configs: [String: String?] = [:]
        for query in queries { configs[query.queryID] = Self.indexConfig(of: query) }
        return InteractionLog(
            queries: queries.filter { keep(Self.indexConfig(of: $0)) },
            events: events.filter { event in
                guard let queryID = event.queryID, let config = configs[queryID] else { return keep(nil) }
                return keep(config)
            },
            problems: problems, files: files)
    }
}
