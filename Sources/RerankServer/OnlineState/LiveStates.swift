import EventLog
import Features
import Logging
import Personalization

/// The live statistics of the served models: the `rerank` section's and each `indices` entry's own, and how events
/// and the log directory are shared out among them (an entry's statistics are its catalog's alone).
struct LiveStates: Sendable {
    /// The `rerank` section's model's statistics; nil without a model.
    let top: LiveFeatureState?
    /// The statistics of the `indices` entries that serve a model of their own, by entry name.
    let entries: [(name: String, live: LiveFeatureState)]
    /// The `indices` entries whose searches the section's statistics leave out: those with a ranker of their own.
    let apart: Set<String>
    /// The latest searches of the entries ranked apart without statistics of their own (by signals): their events
    /// are left out of the section's statistics too.
    let apartSearches: RecentQueryIDs?

    init(
        top: LiveFeatureState?, entries: [(name: String, live: LiveFeatureState)] = [], apart: Set<String> = [],
        apartSearches: RecentQueryIDs? = nil
    ) {
        self.top = top
        self.entries = entries
        self.apart = apart.union(entries.map(\.name))
        self.apartSearches = apartSearches
    }

    /// Whether no statistics are kept at all.
    var isEmpty: Bool { top == nil && entries.isEmpty }

    /// Applies accepted events: each to the entry whose statistics remember its search (by `query_id`), none for a
    /// recent search of an entry ranked by signals (``apartSearches``), the others (no `query_id`, or a search no
    /// entry remembers) to the `rerank` section's, as without `indices`.
    func apply(_ events: [LoggedEvent]) {
        var rest = events
        for entry in entries where !rest.isEmpty {
            let (claimed, others) = entry.live.claim(rest)
            if !claimed.isEmpty { entry.live.apply(claimed) }
            rest = others
        }
        if let apartSearches {
            rest.removeAll { event in event.queryID.map(apartSearches.contains) ?? false }
        }
        top?.apply(rest)
    }

    /// Folds what the log holds beyond each model's snapshot into its statistics: an entry's searches
    /// (`query_attributes.index_config`) and the events joined to them into the entry's, the rest into the section's
    /// but for the searches of entries ranked apart (``apart``) and their events.
    func catchUp(with log: InteractionLog, notAfter: Double, directory: String, logger: Logger) {
        if let top {
            let apart = apart
            let served = apart.isEmpty ? log : log.servedBy { $0.map { !apart.contains($0) } ?? true }
            let replayed = top.catchUp(with: served, notAfter: notAfter)
            logger.notice("online state rebuilt from \(directory): \(replayed.impressions) impressions, \(replayed.events) events since the model's snapshot")
        }
        for entry in entries {
            let replayed = entry.live.catchUp(with: log.servedBy { $0 == entry.name }, notAfter: notAfter)
            logger.notice("online state of indices entry \(entry.name) rebuilt from \(directory): \(replayed.impressions) impressions, \(replayed.events) events since its model's snapshot")
        }
    }
}
