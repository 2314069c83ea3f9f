import Foundation
import RerankCore

/// Everything features know, built only from what happened before the moment they describe.
///
/// Training replays the logs through it in time order, computing each impression's features before applying
/// that impression and its events; serving keeps it current from live events. Bounded by ``Limits``.
public struct FeatureState: Sendable, Codable {
    /// Caps and time constants.
    public struct Limits: Sendable, Codable, Equatable {
        /// Half-life of item counters, in seconds (default 14 days).
        public var halfLife = 14.0 * 86_400
        public var maxUsers = 200_000
        public var maxQueryItems = 500_000
        public var itemsPerUser = 100
        public var recentItemsPerUser = 20
        public var cooccurringPerItem = 50
        /// A session's clicks older than this are forgotten (default 30 minutes).
        public var sessionTTL = 1800.0

        public init() {}
    }

    struct ItemStats: Sendable, Codable {
        var overall = DecayedCounts()
        var byDevice = [DecayedCounts](repeating: DecayedCounts(), count: Device.allCases.count)
        var byDaypart = [DecayedCounts](repeating: DecayedCounts(), count: Daypart.allCases.count)
    }

    /// Rates of a group of items (a category, a price band) in each context.
    struct GroupStats: Sendable, Codable {
        var byDevice = [DecayedCounts](repeating: DecayedCounts(), count: Device.allCases.count)
        var byDaypart = [DecayedCounts](repeating: DecayedCounts(), count: Daypart.allCases.count)
        /// Weekdays at 0, weekends at 1.
        var byWeekend = [DecayedCounts](repeating: DecayedCounts(), count: 2)
    }

    /// The key of a group's statistics: categories and price bands share one table.
    static func groupKey(category: String) -> String { "c:" + category }
    static func groupKey(priceBand: String) -> String { "b:" + priceBand }

    struct Touch: Sendable, Codable {
        var count: Double
        var last: Double
    }

    struct UserProfile: Sendable, Codable {
        var interactions = 0.0
        var categories: [String: Double] = [:]
        var brands: [String: Double] = [:]
        var bands: [String: Double] = [:]
        var items: [String: Touch] = [:]
        var recent: [String] = []
        var lastSeen = 0.0
    }

    struct SessionClick: Sendable, Codable {
        var item: String
        var category: String?
        var time: Double
    }

    struct QueryItemKey: Hashable, Sendable, Codable {
        var query: String
        var item: String
    }

    public var limits: Limits
    var items: [String: ItemStats] = [:]
    var groups: [String: GroupStats] = [:]
    var queryItems: [QueryItemKey: DecayedCounts] = [:]
    var users: [String: UserProfile] = [:]
    var sessions: [String: [SessionClick]] = [:]
    var cooccurrence: [String: [String: Double]] = [:]
    var positionShown = [Double](repeating: 0, count: 100)
    var positionClicks = [Double](repeating: 0, count: 100)
    var totalShown = 0.0
    var totalClicks = 0.0
    var totalCarts = 0.0
    var totalPurchases = 0.0
    public internal(set) var attributes: [String: ItemAttributes] = [:]
    /// Time of the latest observation applied, seconds since 1970.
    public internal(set) var latest = 0.0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// How many entries each bounded table holds, for memory metrics.
    public var sizes: [String: Int] {
        ["users": users.count, "items": items.count, "sessions": sessions.count, "query_items": queryItems.count,
         "cooccurring_items": cooccurrence.count, "item_attributes": attributes.count]
    }

    /// Lower-cased, whitespace-collapsed query text, the key of per-query statistics.
    public static func normalize(query: String) -> String {
        query.lowercased().split(whereSeparator: { $0.isWhitespace || $0.isPunctuation }).joined(separator: " ")
    }

    /// Registers what the catalog says of items (from an items file or from search hits).
    public mutating func learn(attributes: [String: ItemAttributes]) {
        for (id, value) in attributes { self.attributes[id] = value }
    }

    /// Probability that a person looks at position `position`, relative to the first, from clicks by position.
    public func propensity(_ position: Int) -> Double {
        func clickRate(_ index: Int) -> Double { (positionClicks[index] + 1) / (positionShown[index] + 2) }
        return min(1, max(0.02, clickRate(min(position, positionShown.count - 1)) / clickRate(0)))
    }

    /// Applies one shown result list.
    public mutating func apply(_ impression: ImpressionObservation) {
        let context = impression.context
        latest = max(latest, context.time)
        learn(attributes: impression.attributes)
        let device = context.device.index
        let daypart = context.localTime.daypart.index
        for (position, item) in impression.items.enumerated() {
            let examination = propensity(position)
            var stats = items[item] ?? ItemStats()
            stats.overall.decay(to: context.time, halfLife: limits.halfLife)
            stats.overall.shown += 1
            stats.overall.examinations += examination
            stats.byDevice[device].decay(to: context.time, halfLife: limits.halfLife)
            stats.byDevice[device].shown += 1
            stats.byDaypart[daypart].decay(to: context.time, halfLife: limits.halfLife)
            stats.byDaypart[daypart].shown += 1
            items[item] = stats
            for group in groupKeys(attributes[item]) {
                updateGroup(group, device: device, daypart: daypart, weekend: context.localTime.isWeekend, time: context.time) {
                    $0.shown += 1
                }
            }
            if !context.query.isEmpty, queryItems.count < limits.maxQueryItems || queryItems[.init(query: context.query, item: item)] != nil {
                queryItems[.init(query: context.query, item: item), default: DecayedCounts()].decay(to: context.time, halfLife: limits.halfLife)
                queryItems[.init(query: context.query, item: item)]?.shown += 1
            }
            if position < positionShown.count { positionShown[position] += 1 }
            totalShown += 1
        }
    }

    /// Applies one click, add-to-cart or purchase.
    public mutating func apply(_ event: InteractionObservation) {
        latest = max(latest, event.time)
        let device = event.device.index
        let daypart = event.localTime.daypart.index
        var stats = items[event.itemID] ?? ItemStats()
        stats.overall.decay(to: event.time, halfLife: limits.halfLife)
        stats.overall.add(event.kind)
        stats.byDevice[device].decay(to: event.time, halfLife: limits.halfLife)
        stats.byDevice[device].add(event.kind)
        stats.byDaypart[daypart].decay(to: event.time, halfLife: limits.halfLife)
        stats.byDaypart[daypart].add(event.kind)
        items[event.itemID] = stats
        let item = attributes[event.itemID]
        for group in groupKeys(item) {
            updateGroup(group, device: device, daypart: daypart, weekend: event.localTime.isWeekend, time: event.time) {
                $0.add(event.kind)
            }
        }
        if let query = event.query, !query.isEmpty, queryItems[.init(query: query, item: event.itemID)] != nil {
            queryItems[.init(query: query, item: event.itemID)]?.decay(to: event.time, halfLife: limits.halfLife)
            queryItems[.init(query: query, item: event.itemID)]?.add(event.kind)
        }
        switch event.kind {
        case .click:
            totalClicks += 1
            if let position = event.position, position >= 0, position < positionClicks.count { positionClicks[position] += 1 }
        case .addToCart: totalCarts += 1
        case .purchase: totalPurchases += 1
        }
        if let userID = event.userID { updateUser(userID, event: event, item: item) }
        if let sessionID = event.sessionID, event.kind == .click {
            var clicks = sessions[sessionID, default: []].filter { event.time - $0.time <= limits.sessionTTL }
            clicks.append(SessionClick(item: event.itemID, category: item?.category, time: event.time))
            sessions[sessionID] = Array(clicks.suffix(20))
            if sessions.count > limits.maxUsers { evictSessions(now: event.time) }
        }
    }

    private func groupKeys(_ attributes: ItemAttributes?) -> [String] {
        [attributes?.category.map(Self.groupKey(category:)), attributes?.priceBand.map(Self.groupKey(priceBand:))].compactMap { $0 }
    }

    private mutating func updateGroup(
        _ group: String, device: Int, daypart: Int, weekend: Bool, time: Double, _ change: (inout DecayedCounts) -> Void
    ) {
        var stats = groups[group] ?? GroupStats()
        stats.byWeekend[weekend ? 1 : 0].decay(to: time, halfLife: limits.halfLife)
        change(&stats.byWeekend[weekend ? 1 : 0])
        stats.byDevice[device].decay(to: time, halfLife: limits.halfLife)
        change(&stats.byDevice[device])
        stats.byDaypart[daypart].decay(to: time, halfLife: limits.halfLife)
        change(&stats.byDaypart[daypart])
        groups[group] = stats
    }

    private mutating func updateUser(_ userID: String, event: InteractionObservation, item: ItemAttributes?) {
        var profile = users[userID] ?? UserProfile()
        let weight = Double(event.kind.rawValue)
        profile.interactions += weight
        if let category = item?.category { profile.categories[category, default: 0] += weight }
        if let brand = item?.brand { profile.brands[brand, default: 0] += weight }
        if let band = item?.priceBand { profile.bands[band, default: 0] += weight }
        let previous = profile.items[event.itemID]?.count ?? 0
        profile.items[event.itemID] = Touch(count: previous + 1, last: event.time)
        if profile.items.count > limits.itemsPerUser {
            // Ties (events in the same second) go to the smaller id, so a replay evicts the same item every run.
            let oldest = profile.items.min { ($0.value.last, $0.key) < ($1.value.last, $1.key) }?.key
            if let oldest { profile.items[oldest] = nil }
        }
        for other in profile.recent where other != event.itemID {
            cooccurrence[other, default: [:]][event.itemID, default: 0] += 1
            cooccurrence[event.itemID, default: [:]][other, default: 0] += 1
            prune(other)
        }
        prune(event.itemID)
        profile.recent.removeAll { $0 == event.itemID }
        profile.recent.append(event.itemID)
        if profile.recent.count > limits.recentItemsPerUser { profile.recent.removeFirst() }
        profile.lastSeen = event.time
        users[userID] = profile
        if users.count > limits.maxUsers { evictUsers() }
    }

    private mutating func prune(_ item: String) {
        guard let neighbours = cooccurrence[item], neighbours.count > limits.cooccurringPerItem * 2 else { return }
        let kept = neighbours.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .prefix(limits.cooccurringPerItem)
        cooccurrence[item] = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }

    /// Forgets the least recently seen tenth of users.
    private mutating func evictUsers() {
        let cutoff = users.values.map(\.lastSeen).sorted()[users.count / 10]
        users = users.filter { $0.value.lastSeen > cutoff }
    }

    private mutating func evictSessions(now: Double) {
        sessions = sessions.filter { now - ($0.value.last?.time ?? 0) <= limits.sessionTTL }
    }
}

extension Device {
    var index: Int { Device.allCases.firstIndex(of: self) ?? 0 }
}

extension Daypart {
    var index: Int { Daypart.allCases.firstIndex(of: self) ?? 0 }
}
