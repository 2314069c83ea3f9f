import Features

extension FeatureReplay.Limits {
    /// Reads the `state` section of the config file (keys in ``ServerConfiguration``'s table).
    mutating func apply(_ section: ConfigReader) throws(ConfigurationError) {
        try section.requireKnownKeys([
            "max_items", "max_users", "max_sessions", "max_query_items", "max_user_items", "max_user_tastes", "max_groups",
            "max_searches", "half_life_days", "session_ttl_s",
        ])
        let entries = 1...100_000_000
        store.maxItems = try section.int("max_items", in: entries) ?? store.maxItems
        store.maxUsers = try section.int("max_users", in: entries) ?? store.maxUsers
        store.maxSessions = try section.int("max_sessions", in: entries) ?? store.maxSessions
        store.maxQueryItems = try section.int("max_query_items", in: entries) ?? store.maxQueryItems
        store.maxUserItems = try section.int("max_user_items", in: entries) ?? store.maxUserItems
        store.maxUserTastes = try section.int("max_user_tastes", in: entries) ?? store.maxUserTastes
        store.maxGroups = try section.int("max_groups", in: entries) ?? store.maxGroups
        maxSearches = try section.int("max_searches", in: entries) ?? maxSearches
        if let days = try section.double("half_life_days", in: 0.001...3650) { store.halfLife = days * 86_400 }
        if let seconds = try section.int("session_ttl_s", in: 1...86_400 * 30) { store.sessionTTL = Double(seconds) }
    }
}
