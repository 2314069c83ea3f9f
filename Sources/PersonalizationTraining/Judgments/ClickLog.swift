import EventLog
import Features
import Foundation
import Personalization

/// The logged searches as click models read them: for each search, its normalized query, the items shown at
/// their absolute positions, and the credit each item earned there.
///
/// Interactions are joined to searches as training joins them (``InteractionJoin``): by `query_id` when that
/// search showed the item, else to the latest search of the same client (user, else session) that showed the
/// item at most ``attributionWindow`` seconds before. A search credits an item with the gain of its best interaction
/// (``LabelGains``: by default click 1, add-to-cart 2, purchase 3), so an item clicked, carted and bought in one
/// search counts 3, not 6. When several `ubi_queries` records share a `query_id` (some clients log every
/// keystroke under one id), the latest is the search. Searches without query text are not judged.
///
/// ```swift
/// let clicks = ClickLog(log: try InteractionLogReader().read("logs"))
/// print(clicks.searches.count, clicks.join.notShown)
/// ```
public struct ClickLog: Sendable {
    /// One logged search.
    public struct Search: Sendable, Equatable {
        public var queryID: String
        /// The query as ``FeatureStore/normalize(query:)`` makes it: the key judgments are made for.
        public var query: String
        /// The query as typed, without surrounding white space.
        public var text: String
        /// Distinct shown items, in the order shown.
        public var items: [String]
        /// The absolute 0-based position of each shown item.
        public var positions: [Int]
        /// Each shown item's credit: the gain of its best interaction, 0 when none.
        public var credits: [Double]

        /// The index in ``items`` of the lowest item with an interaction, or nil when nothing was.
        public var lastInteraction: Int? { credits.lastIndex { $0 > 0 } }

        /// Credits the item at `index` with `gain` unless a better interaction already did.
        mutating func credit(_ index: Int, with gain: Double) { credits[index] = max(credits[index], gain) }
    }

    /// What became of the log's clicks, add-to-carts and purchases, and of its searches.
    public struct JoinSummary: Sendable, Equatable {
        /// Interactions joined to a search by `query_id`.
        public var joinedByQueryID = 0
        /// Interactions without a usable `query_id` credited to a recent search of the same client.
        public var attributed = 0
        /// Interactions whose `query_id` names a search that did not show their item.
        public var notShown = 0
        /// Interactions that match no search.
        public var unmatched = 0
        /// `ubi_queries` records whose `query_id` a later record reuses.
        public var duplicateRecords = 0
        /// Searches with shown items but no query text, left out.
        public var withoutQueryText = 0
    }

    /// Searches with query text and shown items, oldest first.
    public var searches: [Search]
    public var join: JoinSummary
    /// How long after a search an interaction without a `query_id` can still be credited to it (seconds).
    public static let attributionWindow = InteractionJoin.defaultWindow

    /// Reads `log`'s searches and credits their items with the interactions joined to them.
    public init(log: InteractionLog, gains: LabelGains = LabelGains()) {
        var join = JoinSummary()
        let replayed = log.loggedImpressions()
        var latest: [String: Int] = [:]
        for (index, impression) in replayed.enumerated() where latest.updateValue(index, forKey: impression.queryID) != nil {
            join.duplicateRecords += 1
        }
        let impressions = replayed.indices.filter { latest[replayed[$0].queryID] == $0 }.map { replayed[$0] }
            .sorted { $0.time < $1.time }
        var all = Self.searches(impressions, typedIn: log.queries)
        func credit(_ event: LoggedEvent, _ target: InteractionJoin.Target, _: [String]) {
            let search: Int
            switch target {
            case .joined(let joined):
                join.joinedByQueryID += 1
                search = joined
            case .attributed(let attributed):
                join.attributed += 1
                search = attributed
            case .notShown:
                join.notShown += 1
                return
            case .unmatched:
                join.unmatched += 1
                return
            }
            if let item = all[search].items.firstIndex(of: event.itemID) { all[search].credit(item, with: gains.gain(event.kind)) }
        }
        var joiner = StreamingJoin(window: Self.attributionWindow)
        var records = ReplayLog(impressions: impressions, events: log.loggedEvents()).records()
        while let record = records.next() {
            switch record {
            case .impression(let search): joiner.add(search, credit: credit)
            case .event(let event): joiner.add(event, credit: credit)
            }
        }
        joiner.finish(credit: credit)
        searches = all.filter { !$0.query.isEmpty }
        join.withoutQueryText = all.count - searches.count
        self.join = join
    }

    /// The searches of `impressions` with no credit yet, each with the text of the latest `ubi_queries` record of
    /// its `query_id` that normalizes to its query (the one it was replayed from).
    private static func searches(_ impressions: [LoggedImpression], typedIn records: [UBIQuery]) -> [Search] {
        let queries = Dictionary(impressions.map { ($0.queryID, $0.context.query) }, uniquingKeysWith: { $1 })
        var typed: [String: String] = [:]
        for record in records {
            let text = record.userQuery ?? ""
            if queries[record.queryID] == FeatureStore.normalize(query: text) { typed[record.queryID] = text }
        }
        return impressions.map { search(from: $0, typed: typed[$0.queryID] ?? "") }
    }

    /// A search with its first showing of each item and no credit yet.
    private static func search(from impression: LoggedImpression, typed: String) -> Search {
        var seen = Set<String>()
        var items: [String] = []
        var positions: [Int] = []
        for (index, item) in impression.items.enumerated() where seen.insert(item).inserted {
            items.append(item)
            positions.append(impression.position(ofShown: index))
        }
        return Search(
            queryID: impression.queryID, query: impression.context.query, text: typed.trimmingCharacters(in: .whitespacesAndNewlines),
            items: items,
            positions: positions, credits: Array(repeating: 0, count: items.count))
    }
}
