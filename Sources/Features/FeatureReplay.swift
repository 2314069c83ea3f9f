/// The one path from logged searches and events to feature rows: training and evaluation replay logs through
/// it in time order, and serving keeps one current from live searches and events, so a search gets the same
/// row in either.
///
/// An event is applied in the context of the search it came from (by `query_id`), remembered among the latest
/// ``Limits/maxSearches`` searches; an event whose search is not remembered gets
/// ``FeatureContext/unknown(at:)``.
public struct FeatureReplay: Sendable {
    public struct Limits: Sendable, Equatable {
        public var store = FeatureStore.Limits()
        /// Searches remembered for joining their events (oldest forgotten first).
        public var maxSearches = 50_000

        public init() {}
    }

    public private(set) var store: FeatureStore
    private var searches: BoundedTable<ShownSearch>

    public init(store: FeatureStore, maxSearches: Int = Limits().maxSearches) {
        self.store = store
        searches = BoundedTable(capacity: maxSearches, empty: ShownSearch())
    }

    public init(limits: Limits = Limits(), declared: DeclaredFeatures = .none) {
        self.init(store: FeatureStore(limits: limits.store, declared: declared), maxSearches: limits.maxSearches)
    }

    /// Feature rows of `candidates` for a search in `context`, from what was applied so far.
    public func features(for candidates: [Candidate], in context: FeatureContext) -> [Float] {
        store.features(for: candidates, in: context)
    }

    /// Feature rows, and in `newAttributes` the candidates' catalog attributes that the store lacks, to be
    /// learned later (``learn(_:)``) by whoever may change the store.
    public func features(for candidates: [Candidate], in context: FeatureContext, newAttributes: inout [CatalogUpdate]) -> [Float] {
        store.features(for: candidates, in: context, newAttributes: &newAttributes)
    }

    /// Applies a shown search, with the catalog attributes its hits carried, and remembers it for its events.
    public mutating func apply(_ impression: LoggedImpression, attributes: [String: ItemKeys] = [:]) {
        store.apply(impression, attributes: attributes)
        let slot = searches.update(FeatureKey.of(impression.queryID)).slot
        searches.values[slot] = ShownSearch(
            context: impression.context, items: impression.items.map(FeatureKey.of), firstPosition: impression.firstPosition)
    }

    /// The tables that `additional` more entries each would grow, grown ahead without changing these
    /// statistics, to be installed before applying what inserts them; nil when none would grow.
    public func growth(toFit additional: Int) -> PreparedGrowth<FeatureReplay>? {
        let storeGrowth = store.growth(toFit: additional)
        let grownSearches = searches.grown(toFit: additional)
        guard storeGrowth != nil || grownSearches != nil else { return nil }
        let growth = PreparedGrowth<FeatureReplay>()
        if let storeGrowth { growth.add(\.store, storeGrowth) }
        if let grownSearches { growth.add(\.searches, grownSearches) }
        return growth
    }

    /// Whether the search with this query id is among the searches remembered for their events.
    public func remembers(queryID: String) -> Bool { searches.slot(of: FeatureKey.of(queryID)) != nil }

    /// Applies a click, add-to-cart or purchase in the context of its search; a click also counts the
    /// search's results down to it as examined (``FeatureStore/examineCascade(_:clicked:at:)``).
    public mutating func apply(_ event: LoggedEvent) {
        let slot = event.queryID.flatMap { searches.slot(of: FeatureKey.of($0)) }
        store.apply(event, shownIn: slot.map { searches.values[$0] })
        if event.kind == .click, let slot {
            store.examineCascade(&searches.values[slot], clicked: FeatureKey.of(event.itemID), at: event.time)
        }
    }

    /// Registers catalog attributes (from an items file, or hits served).
    public mutating func learn(attributes: [String: ItemAttributes]) {
        store.learn(attributes: attributes)
    }

    /// Registers catalog attributes collected while computing features.
    public mutating func learn(_ update: CatalogUpdate) { store.learn(update.item, update.attributes, declared: update.declared) }

    /// Registers the declared user values of users (a users file).
    public mutating func learn(profiles: [String: [UInt64]]) { store.learn(profiles: profiles) }

    /// The store's tables and the remembered searches, for `/metrics`.
    public var statistics: [TableStatistics] {
        store.statistics + [
            TableStatistics(name: "searches", entries: searches.count, capacity: searches.capacity,
                evictions: searches.evictions, bytes: searches.bytes + searches.values.reduce(0) { $0 + $1.items.capacity * 8 })
        ]
    }
}

/// A search as events are joined to it: its context, the keys of the items shown, in order, and the absolute
/// position of the first.
struct ShownSearch: Sendable {
    var context = FeatureContext.unknown(at: 0)
    var items: [UInt64] = []
    var firstPosition = 0
    /// How many of the items, from the top, clicks on this search have counted as examined.
    var examined = 0

    /// The absolute position `item` was shown at, if it was.
    func position(of item: UInt64) -> Int? { items.firstIndex(of: item).map { firstPosition + $0 } }
}

/// Catalog attributes of an item that a search carried and the store did not have.
public struct CatalogUpdate: Sendable {
    let item: UInt64
    let attributes: ItemKeys
    /// Declared item values; empty when the search carried none the store lacks.
    let declared: [UInt64]
}
