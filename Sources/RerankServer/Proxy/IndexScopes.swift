import RerankConfiguration

/// How searches on one `indices` entry's indices are served, apart from the reranker (in the store's snapshot,
/// swapped when the entry's model reloads).
struct IndexScope: Sendable {
    /// The entry's name, in `X-Rerank-Model`, the impression log and metrics.
    let name: String
    /// The entry's position in `indices`, and of its reranker in ``RerankerStore/Snapshot/indices``.
    let position: Int
    /// The entry's `window` (the section's `max_window`).
    let planner: SearchPlanner
    /// The entry's `enabled`.
    let rerankingEnabled: Bool
    /// The entry's `budget_ms`.
    let deadline: RankingDeadline
    /// Where the entry's served searches update the live statistics its ranker reads: its own model's, the
    /// `rerank` section's when it keeps the section's model, none for signals.
    let online: OnlineStateService?
    /// For an entry ranked by signals of its own: where its searches' query ids go, so their events stay out of the
    /// `rerank` section's statistics (``LiveStates/apartSearches``).
    var apartSearches: RecentQueryIDs? = nil
}

/// The `indices` entries, and which one serves a search.
struct IndexScopes: Sendable {
    let entries: [RerankConfiguration.ServerConfiguration.IndexOverride]
    let scopes: [IndexScope]

    init(entries: [RerankConfiguration.ServerConfiguration.IndexOverride] = [], scopes: [IndexScope] = []) {
        precondition(entries.count == scopes.count, "one scope per indices entry")
        self.entries = entries
        self.scopes = scopes
    }

    /// The entry serving a search on `expression` (the path's index part, or an msearch header's `index`); nil
    /// when the `rerank` section serves it.
    func scope(for expression: String?) -> IndexScope? {
        RerankConfiguration.ServerConfiguration.indexOverride(for: expression, in: entries).map { scopes[$0] }
    }

    /// Whether any entry is configured: only then are searches counted by index config.
    var isEmpty: Bool { entries.isEmpty }
}
