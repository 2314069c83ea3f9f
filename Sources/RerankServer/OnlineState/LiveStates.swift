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

    /// Each statistics' share of `log`: an entry's searches (`query_attributes.index_config`) and the events joined
    /// to them go to the entry's, the rest to the section's but for the searches of entries ranked apart
    /// (``apart``) and their events.
    func shares(of log: InteractionLog) -> [(name: String?, live: LiveFeatureState, log: InteractionLog)] {
        var shares: [(name: String?, live: LiveFeatureState, log: InteractionLog)] = []
        if let top {
            let apart = apart
            shares.append((nil, top, apart.isEmpty ? log : log.servedBy { $0.map { !apart.contains($0) } ?? true }))
        }
        for entry in entries {
            shares.append((entry.name, entry.live, log.servedBy { $0 == entry.name }))
        }
        return shares
    }

    /// Folds what the log holds beyond each model's snapshot into its statistics, each its ``shares(of:)``.
    func catchUp(with log: InteractionLog, notAfter: Double, source: String, logger: Logger) {
        for share in shares(of: log) {
            let replayed = share.live.catchUp(with: share.log, notAfter: notAfter)
            let whose = share.name.map { "online state of indices entry \($0)" } ?? "online state"
            logger.notice("\(whose) rebuilt from \(source): \(replayed.impressions) impressions, \(replayed.events) events since the model's snapshot")
        }
    }

    /// The time of the oldest latest observation among the statistics (seconds since 1970); nil without any.
    var earliestLatest: Double? {
        ([top].compactMap { $0 } + entries.map(\.live)).map(\.latest).min()
    }
}
