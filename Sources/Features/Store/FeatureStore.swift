import Foundation
import RerankCore

/// Everything features know, built only from what happened before the moment they describe.
///
/// Training replays the logs through it in time order (``FeatureReplay``), computing each impression's features
/// before applying that impression and its events; serving keeps it current from live impressions and events
/// through the same replay. Ids are reduced to 64-bit keys (``FeatureKey``) and every table is a
/// ``BoundedTable``: flat storage, a configured number of entries, the least recently updated entry evicted
/// first in O(1).
public struct FeatureStore: Sendable {
    /// Table sizes and time constants.
    ///
    /// Entries per table are configurable (`state.*` in the server configuration); the per-entry widths below
    /// are fixed, so each table's memory is bounded by its entries.
    public struct Limits: Sendable, Codable, Equatable {
        /// Half-life of interaction counters, in seconds (default 14 days).
        public var halfLife = 14.0 * 86_400
        public var maxItems = 300_000
        public var maxUsers = 300_000
        public var maxSessions = 300_000
        /// Query × item pairs (the per-query click rates).
        public var maxQueryItems = 1_000_000
        /// User × item pairs (how often and how recently a user acted on an item).
        public var maxUserItems = 1_000_000
        /// User × category, brand and price band weights (the user's tastes).
        public var maxUserTastes = 1_000_000
        /// Categories, brands and price bands with per-context rates.
        public var maxGroups = 50_000
        /// A session's clicks older than this are forgotten (default 30 minutes).
        public var sessionTTL = 1800.0

        /// Items remembered per user for co-occurrence.
        public static let recentItemsPerUser = 16
        /// Clicks remembered per session.
        public static let clicksPerSession = 10
        /// Most co-occurring items kept per item (the least weighted is replaced).
        public static let neighboursPerItem = 8

        public init() {}
    }

    public let limits: Limits
    /// The storefront's own features (``DeclaredFeatures``), computed after the built-in ones.
    public let declared: DeclaredFeatures
    var items: BoundedTable<ItemRow>
    /// Per item: its declared item values (``DeclaredValue`` lanes, in ``DeclaredFeatures/declarations(of:)`` order).
    var itemValues: SlotLanes<UInt64>
    /// Per item: shown and clicks by device, then by daypart.
    var itemContext: SlotLanes<RateCounts>
    var neighbours: SlotLanes<Neighbour>
    var groups: BoundedTable<Double>
    /// Per group (the table's value is the time of the last update): by device, by daypart, weekday/weekend.
    var groupContext: SlotLanes<RateCounts>
    var queryItems: BoundedTable<QueryItemRow>
    var users: BoundedTable<UserRow>
    var recent: SlotLanes<UInt64>
    var userItems: BoundedTable<Touch>
    var tastes: BoundedTable<Float>
    /// Per session: how many clicks its lanes hold.
    var sessions: BoundedTable<Int32>
    var sessionClicks: SlotLanes<SessionClick>
    /// Users the users file describes (the value is unused), and their declared user values.
    var profiles: BoundedTable<Float>
    var profileValues: SlotLanes<UInt64>
    var positionShown = [Double](repeating: 0, count: 100)
    var positionClicks = [Double](repeating: 0, count: 100)
    var totalShown = 0.0
    var totalClicks = 0.0
    var totalCarts = 0.0
    var totalPurchases = 0.0
    var totalCascade = RateCounts()
    /// Time of the latest observation applied, seconds since 1970.
    public internal(set) var latest = 0.0

    public init(limits: Limits = Limits(), declared: DeclaredFeatures = .none) {
        self.limits = limits
        self.declared = declared
        items = BoundedTable(capacity: limits.maxItems, empty: ItemRow())
        itemValues = SlotLanes(width: declared.declarations(of: .item).count, empty: DeclaredValue.missing, capacity: limits.maxItems)
        itemContext = SlotLanes(width: ContextLanes.itemWidth, empty: RateCounts(), capacity: limits.maxItems)
        neighbours = SlotLanes(width: Limits.neighboursPerItem, empty: Neighbour(), capacity: limits.maxItems)
        groups = BoundedTable(capacity: limits.maxGroups, empty: Self.never)
        groupContext = SlotLanes(width: ContextLanes.groupWidth, empty: RateCounts(), capacity: limits.maxGroups)
        queryItems = BoundedTable(capacity: limits.maxQueryItems, empty: QueryItemRow())
        users = BoundedTable(capacity: limits.maxUsers, empty: UserRow())
        recent = SlotLanes(width: Limits.recentItemsPerUser, empty: 0, capacity: limits.maxUsers)
        userItems = BoundedTable(capacity: limits.maxUserItems, empty: Touch())
        tastes = BoundedTable(capacity: limits.maxUserTastes, empty: 0)
        sessions = BoundedTable(capacity: limits.maxSessions, empty: 0)
        sessionClicks = SlotLanes(width: Limits.clicksPerSession, empty: SessionClick(), capacity: limits.maxSessions)
        profiles = BoundedTable(capacity: limits.maxUsers, empty: 0)
        profileValues = SlotLanes(width: declared.declarations(of: .user).count, empty: DeclaredValue.missing, capacity: limits.maxUsers)
    }

    /// Values per feature row: the built-in features, then the declared ones.
    public var rowWidth: Int { FeatureSchema.width + declared.columns.count }

    /// Every column's name, in row order.
    public var featureNames: [String] { FeatureSchema.names + declared.columns }

    /// A search's own declared values, one per declaration (``DeclaredFeatures/declarations``): the searcher's
    /// user values (from the users file) and the request's context values; missing for item declarations.
    func searchLanes(of context: FeatureContext) -> [UInt64] {
        guard !declared.isEmpty else { return [] }
        let profile = profileValues.width > 0 ? context.userID.flatMap { profiles.slot(of: FeatureKey.of($0)) } : nil
        var userLane = 0
        return declared.declarations.map { declaration in
            switch declaration.source {
            case .item: return DeclaredValue.missing
            case .context: return declaration.lane(forText: context.attributes[declaration.field])
            case .user:
                defer { userLane += 1 }
                return profile.map { profileValues[$0, userLane] } ?? DeclaredValue.missing
            }
        }
    }

    /// The time of a counter never updated: `-Double.greatestFiniteMagnitude`, written as a literal so that it
    /// is a constant, not a global initialized on first use (and checked on every use).
    static let never = -0x1.fffffffffffffp+1023

    /// Lower-cased, whitespace-collapsed query text, the key of per-query statistics: words split at whitespace and
    /// punctuation, joined by single spaces.
    public static func normalize(query: String) -> String {
        asciiNormalized(query)
            ?? query.lowercased().split(whereSeparator: { $0.isWhitespace || $0.isPunctuation }).joined(separator: " ")
    }

    /// ``normalize(query:)`` of an ASCII query, byte by byte (twice a search: serving and logging it); nil when
    /// the query is not ASCII. Separators are the ASCII bytes that are whitespace or punctuation as `Character`
    /// tells them.
    static func asciiNormalized(_ query: String) -> String? {
        var query = query
        return query.withUTF8 { bytes -> String? in
            var words: [UInt8] = []
            words.reserveCapacity(bytes.count)
            var pendingSpace = false
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                if asciiSeparators[Int(byte)] {
                    pendingSpace = !words.isEmpty
                    continue
                }
                if pendingSpace {
                    words.append(UInt8(ascii: " "))
                    pendingSpace = false
                }
                words.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte)
            }
            return String(decoding: words, as: UTF8.self)
        }
    }

    /// Per ASCII byte: whether it separates words (whitespace or punctuation).
    private static let asciiSeparators: [Bool] = (0..<128).map { byte in
        let character = Character(Unicode.Scalar(UInt8(byte)))
        return character.isWhitespace || character.isPunctuation
    }

    /// Probability that a person looks at position `position`, relative to the first, from clicks by position.
    public func propensity(_ position: Int) -> Double {
        func clickRate(_ index: Int) -> Double { (positionClicks[index] + 1) / (positionShown[index] + 2) }
        return min(1, max(0.02, clickRate(min(max(0, position), positionShown.count - 1)) / clickRate(0)))
    }

    /// Size, capacity, evictions and memory of each table, for `/metrics`.
    public var statistics: [TableStatistics] {
        [
            .init(name: "items", entries: items.count, capacity: items.capacity, evictions: items.evictions,
                  bytes: items.bytes + itemContext.bytes + neighbours.bytes + itemValues.bytes),
            .init(name: "groups", entries: groups.count, capacity: groups.capacity, evictions: groups.evictions,
                  bytes: groups.bytes + groupContext.bytes),
            .init(name: "query_items", entries: queryItems.count, capacity: queryItems.capacity,
                  evictions: queryItems.evictions, bytes: queryItems.bytes),
            .init(name: "users", entries: users.count, capacity: users.capacity, evictions: users.evictions,
                  bytes: users.bytes + recent.bytes),
            .init(name: "user_items", entries: userItems.count, capacity: userItems.capacity,
                  evictions: userItems.evictions, bytes: userItems.bytes),
            .init(name: "user_tastes", entries: tastes.count, capacity: tastes.capacity, evictions: tastes.evictions,
                  bytes: tastes.bytes),
            .init(name: "sessions", entries: sessions.count, capacity: sessions.capacity,
                  evictions: sessions.evictions, bytes: sessions.bytes + sessionClicks.bytes),
            .init(name: "profiles", entries: profiles.count, capacity: profiles.capacity,
                  evictions: profiles.evictions, bytes: profiles.bytes + profileValues.bytes),
        ]
    }
}

/// One table of the feature store, as `/metrics` reports it.
public struct TableStatistics: Sendable, Equatable {
    public var name: String
    public var entries: Int
    public var capacity: Int
    /// Entries evicted to make room, since the store was made or loaded.
    public var evictions: Int
    /// Bytes allocated for the table.
    public var bytes: Int
}

/// Shown and clicked counts of one context value, or of a cascade: clicks and examinations under the cascade
/// assumption (a simplified DBN), where a person who clicked looked at every result down to their last click
/// and at none below it, and only clicks joined to their search count.
struct RateCounts: Sendable, Codable, Equatable {
    var shown: Float = 0
    var clicks: Float = 0

    mutating func scale(by factor: Float) {
        shown *= factor
        clicks *= factor
    }
}

/// Where each context's counts sit among an item's or a group's lanes.
enum ContextLanes {
    static let devices = Device.allCases.count
    static let dayparts = Daypart.allCases.count
    static let itemWidth = devices + dayparts
    static let groupWidth = devices + dayparts + 2

    static func device(_ device: Device) -> Int { device.index }
    static func daypart(_ daypart: Daypart) -> Int { devices + daypart.index }
    static func weekend(_ isWeekend: Bool) -> Int { devices + dayparts + (isWeekend ? 1 : 0) }

    // An item's lanes are stored in another order than the one above, which snapshots keep: tablet, mobile, the
    // dayparts, desktop, then the rare devices. An item's nine lanes take 72 bytes, more than a cache line, and a
    // search reads two of them, its device's and its daypart's, at every hit; so placed, a mobile or a desktop
    // search finds both in one line for 69% of the items instead of 19% and 44%.

    /// Where an item's lane for `device` is stored.
    static func itemPlace(of device: Device) -> Int {
        switch device {
        case .tablet: 0
        case .mobile: 1
        case .desktop: 2 + dayparts
        case .bot: 3 + dayparts
        case .unknown: 4 + dayparts
        }
    }

    /// Where an item's lane for `daypart` is stored.
    static func itemPlace(of daypart: Daypart) -> Int { 2 + daypart.index }

    /// Where each of an item's lanes, numbered as ``device(_:)`` and ``daypart(_:)`` number them, is stored.
    static var itemPlaces: [Int] {
        Device.allCases.map { itemPlace(of: $0) } + Daypart.allCases.map { itemPlace(of: $0) }
    }

    /// The lanes one context counts in: a group's by its device, daypart and weekend, and where an item's for its
    /// device and daypart are stored.
    struct Places {
        let device: Int
        let daypart: Int
        let weekend: Int
        let itemDevice: Int
        let itemDaypart: Int

        init(of context: FeatureContext) {
            device = ContextLanes.device(context.device)
            daypart = ContextLanes.daypart(context.localTime.daypart)
            weekend = ContextLanes.weekend(context.localTime.isWeekend)
            itemDevice = ContextLanes.itemPlace(of: context.device)
            itemDaypart = ContextLanes.itemPlace(of: context.localTime.daypart)
        }
    }
}

/// An item's counters and catalog attributes.
struct ItemRow: Sendable, Codable, Equatable {
    var updated = FeatureStore.never
    var shown: Float = 0
    var clicks: Float = 0
    var carts: Float = 0
    var purchases: Float = 0
    /// Sum of the examination propensities of the positions the item was shown at.
    var examinations: Float = 0
    /// Clicks and cascade examinations (`shown`).
    var cascade = RateCounts()
    var attributes = ItemKeys()
    /// How many of the item's neighbour lanes hold a neighbour: they fill from the first, so lanes
    /// `0..<neighbours`. Searches read only those, and no lane of the many items seen with no other. Not in
    /// snapshots: counted from the lanes when they are read.
    var neighbours: UInt8 = 0
}

/// An item's catalog attributes as keys (0: unknown) and its price (negative: unknown).
public struct ItemKeys: Sendable, Codable, Equatable {
    var category: UInt64 = 0
    var brand: UInt64 = 0
    var priceBand: UInt64 = 0
    var price: Float = -1

    /// Whether the catalog said anything of the item.
    public var isKnown: Bool { category != 0 || brand != 0 || priceBand != 0 || price >= 0 }

    init() {}

    public init(_ attributes: ItemAttributes) {
        category = attributes.category.map(FeatureKey.of) ?? 0
        brand = attributes.brand.map(FeatureKey.of) ?? 0
        priceBand = attributes.priceBand.map(FeatureKey.of) ?? 0
        price = attributes.price.map(Float.init) ?? -1
    }

    /// The keys of the bands most prices fall in, hashed once.
    private static let bandKeys = (0..<64).map { FeatureKey.of("p\($0)") }

    /// The key of the price band a price falls in when the catalog names none (``ItemAttributes/band(_:)``).
    static func priceBandKey(_ price: Double) -> UInt64 {
        let band = ItemAttributes.bandNumber(price)
        return band < bandKeys.count ? bandKeys[band] : FeatureKey.of(ItemAttributes.band(price))
    }
}

/// An item seen together with another in a user's recent history, and how often.
struct Neighbour: Sendable, Codable, Equatable {
    var item: UInt64 = 0
    var weight: Float = 0
}

struct QueryItemRow: Sendable, Codable, Equatable {
    var updated = FeatureStore.never
    var shown: Float = 0
    var clicks: Float = 0
    /// Sum of the examination propensities of the positions the item was shown at for the query.
    var examinations: Float = 0
    /// Clicks and cascade examinations (`shown`).
    var cascade = RateCounts()
}

struct UserRow: Sendable, Codable, Equatable {
    var interactions: Float = 0
    var lastSeen = 0.0
    /// How many of the user's recent-item lanes are used (oldest first).
    var recentCount: Int32 = 0
    /// The groups the user has tastes in (``KeyBits``): a search looks up in ``FeatureStore/tastes`` only the
    /// groups whose bit is set, as the others hold none of the user's. A user evicted and seen again starts with
    /// none, as their interactions start again from 0.
    var tasteGroups = KeyBits()
    /// The items the user acted on (``KeyBits``): a search looks up in ``FeatureStore/userItems`` only the items
    /// whose bit is set. A user evicted and seen again starts with none, as with their tastes.
    var touchedItems = KeyBits()
}

/// A set of keys (groups, items) as 64 bits, one per key's top 6 bits: a key whose bit is clear is not in the
/// set; one whose bit is set may be. A user with a handful of tastes, or of items acted on, clears most of a
/// search's.
struct KeyBits: Sendable, Codable, Equatable {
    var bits: UInt64 = 0

    /// Every key may be in the set: what a snapshot that did not keep the bits reads as.
    static let unknown = KeyBits(bits: .max)

    mutating func insert(_ key: UInt64) { bits |= Self.bit(key) }

    func mayContain(_ key: UInt64) -> Bool { bits & Self.bit(key) != 0 }

    private static func bit(_ key: UInt64) -> UInt64 { 1 << (key >> 58) }
}

/// How often and when a user last acted on an item.
struct Touch: Sendable, Codable, Equatable {
    var count: Float = 0
    var last = 0.0
}

struct SessionClick: Sendable, Codable, Equatable {
    var item: UInt64 = 0
    /// The low 32 bits of the item's category key (0: none).
    var category: UInt32 = 0
    var time = 0.0
}

extension Device {
    /// The device's lane (its place in `allCases`), without searching `allCases` on the hot path.
    var index: Int {
        switch self {
        case .mobile: 0
        case .tablet: 1
        case .desktop: 2
        case .bot: 3
        case .unknown: 4
        }
    }
}

extension Daypart {
    /// The daypart's lane (its place in `allCases`).
    var index: Int {
        switch self {
        case .night: 0
        case .morning: 1
        case .afternoon: 2
        case .evening: 3
        }
    }
}
