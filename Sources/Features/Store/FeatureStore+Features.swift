import Foundation
import RerankCore

extension FeatureStore {
    /// Feature rows for `candidates`, row-major in ``featureNames`` order (``rowWidth`` values each), from the
    /// store as it is now.
    ///
    /// Reads only: concurrent searches may compute rows from one store at once.
    public func features(for candidates: [Candidate], in context: FeatureContext) -> [Float] {
        var unused: [CatalogUpdate] = []
        return features(for: candidates, in: context, newAttributes: &unused)
    }

    /// Feature rows, and in `newAttributes` the candidates whose attributes the store does not have yet (or
    /// has otherwise), for the caller to teach it later.
    func features(
        for candidates: [Candidate], in context: FeatureContext, newAttributes: inout [CatalogUpdate]
    ) -> [Float] {
        let width = rowWidth
        var rows = [Float](repeating: 0, count: candidates.count * width)
        var searcher = Searcher(store: self, context: context)
        // Through buffers: a candidate and its entries are read where they are, not copied out of their arrays.
        candidates.withUnsafeBufferPointer { candidates in
            let entries = searcher.entries(of: candidates, in: self)
            rows.withUnsafeMutableBufferPointer { rows in
                entries.withUnsafeBufferPointer { entries in
                    for index in candidates.indices {
                        let row = UnsafeMutableBufferPointer(rebasing: rows[(index * width)..<((index + 1) * width)])
                        if let learned = searcher.write(entries[index], from: self, into: row) {
                            newAttributes.append(learned)
                        }
                    }
                }
            }
        }
        return rows
    }
}

/// The store's entries for one candidate. They are looked up for every candidate before any row is written,
/// each step prefetched for all candidates before the first is taken, so the cache misses of different
/// candidates overlap instead of following one another (most lookups miss the caches in a large store).
///
/// Plain values only (the declared values lie in the searcher's ``Searcher/declared``): a search makes and drops
/// an array of them without touching each one, and writes rows from them without copying a candidate (its id and
/// declared values, retained and released).
private struct CandidateEntries {
    /// The candidate's place among the search's candidates.
    let position: Int
    let item: UInt64
    let searchScore: Double
    let originalRank: Int
    var row: ItemRow?
    /// The item's slot in the store, whose counts by context the row reads; nil when unknown.
    var slot: Int?
    var query: QueryItemRow?
    var touch: Touch?
    /// Co-occurrence weight of the item with the searcher's recent items.
    var cooccurring = 0.0
    /// The hit's attributes when it carries any, else the store's.
    var attributes = ItemKeys()
    /// Whether the hit carries attributes other than the store's, which should learn them.
    var attributesAreNew = false
    /// Whether the hit's declared values differ from the store's, which should learn them.
    var declaredAreNew = false

    init(position: Int, item: UInt64, of candidate: borrowing Candidate) {
        self.position = position
        self.item = item
        searchScore = candidate.searchScore
        originalRank = candidate.originalRank
    }
}

/// What one search reads once, before its candidates: the searcher's profile, session and recent items. The
/// store itself is passed to each step, not kept: a copy would retain every one of its arrays.
private struct Searcher {
    let context: FeatureContext
    let user: UInt64?
    let userRow: UserRow?
    let recent: ArraySlice<UInt64>
    let session: [SessionClick]
    let query: UInt64?
    /// The search's own declared values, one per declaration (``DeclaredFeatures/declarations``): the searcher's
    /// user values (from the users file) and the request's context values; missing for item declarations.
    let searchLanes: [UInt64]
    let globalCTR: Double
    let globalCart: Double
    let globalPurchase: Double
    let globalAttractiveness: Double
    /// Where the search's context counts among a group's lanes and an item's.
    let places: ContextLanes.Places
    let hourSin: Double
    let hourCos: Double
    let weekdaySin: Double
    let weekdayCos: Double
    let logOnePlus = LogOnePlus.shared
    /// The searcher's share of interactions in each candidate's groups, ``ShareLane/count`` per candidate in
    /// their order (empty for a searcher the store does not know). Gathered by ``entries(of:in:)``.
    private var shares: [Double] = []
    /// The candidates' declared item values, ``FeatureStore/itemValues`` wide each, in their order: the hit's
    /// when it carries any, else the store's (empty when none are declared). Gathered by ``entries(of:in:)``.
    private var declared: [UInt64] = []

    /// `store` is borrowed: an initializer's arguments are otherwise its own, a copy retaining every array.
    init(store: borrowing FeatureStore, context: FeatureContext) {
        self.context = context
        user = context.userID.map(FeatureKey.of)
        let userSlot = user.flatMap(store.users.slot(of:))
        userRow = userSlot.map { store.users.values[$0] }
        recent = userSlot.map { store.recent.lanes(of: $0).prefix(Int(store.users.values[$0].recentCount)) } ?? []
        let sessionSlot = context.sessionID.map(FeatureKey.of).flatMap(store.sessions.slot(of:))
        session = sessionSlot.map { slot in
            store.sessionClicks.lanes(of: slot).prefix(Int(store.sessions.values[slot]))
                .filter { context.time - $0.time <= store.limits.sessionTTL }
        } ?? []
        query = context.query.isEmpty ? nil : FeatureKey.of(context.query)
        searchLanes = store.searchLanes(of: context)
        globalCTR = (store.totalClicks + 1) / (store.totalShown + 20)
        globalCart = (store.totalCarts + 0.1) / (store.totalShown + 20)
        globalPurchase = (store.totalPurchases + 0.05) / (store.totalShown + 20)
        globalAttractiveness = (Double(store.totalCascade.clicks) + 1) / (Double(store.totalCascade.shown) + 5)
        places = ContextLanes.Places(of: context)
        let hourAngle = Double(context.localTime.hour) / 24 * 2 * .pi
        let dayAngle = Double(context.localTime.weekday - 1) / 7 * 2 * .pi
        hourSin = sin(hourAngle)
        hourCos = cos(hourAngle)
        weekdaySin = sin(dayAngle)
        weekdayCos = cos(dayAngle)
    }

    /// `numerator / denominator`, pulled towards `prior` with the strength of `strength` impressions.
    private func smoothed(_ numerator: Double, over denominator: Double, prior: Double, strength: Double) -> Double {
        (numerator + prior * strength) / (denominator + strength)
    }

    /// Cascade clicks over cascade examinations, smoothed; at most 1 (a result clicked twice in one search
    /// counts two clicks and one examination).
    private func attractiveness(_ counts: RateCounts, prior: Double, strength: Double) -> Double {
        min(1, smoothed(Double(counts.clicks), over: Double(counts.shown), prior: prior, strength: strength))
    }

    private func rate(_ counts: RateCounts?, prior: Double) -> Double {
        smoothed(Double(counts?.clicks ?? 0), over: Double(counts?.shown ?? 0), prior: prior, strength: 10)
    }

    /// Every candidate's entries, in passes: the index buckets of all candidates are prefetched, then looked up
    /// (prefetching the entries found), then the entries are read (prefetching the neighbours an item has),
    /// then the neighbours; last, the searcher's shares of the candidates' groups, the same way.
    mutating func entries(of candidates: UnsafeBufferPointer<Candidate>, in store: FeatureStore) -> [CandidateEntries] {
        var keys: [(item: UInt64, query: UInt64?, touch: UInt64?)] = []
        keys.reserveCapacity(candidates.count)
        for index in candidates.indices {
            let item = FeatureKey.of(candidates[index].id)
            // Only items the searcher may have acted on are looked up (``UserRow/touchedItems``).
            let toucher = userRow.flatMap { $0.touchedItems.mayContain(item) ? user : nil }
            let key = (item: item, query: query.map { FeatureKey.pair($0, item) }, touch: toucher.map { FeatureKey.pair($0, item) })
            keys.append(key)
            store.items.prefetch(item)
            if let query = key.query { store.queryItems.prefetch(query) }
            if let touch = key.touch { store.userItems.prefetch(touch) }
        }
        var slots: [(item: Int?, query: Int?, touch: Int?)] = []
        slots.reserveCapacity(candidates.count)
        for key in keys {
            let slot = (
                item: store.items.slot(of: key.item), query: key.query.flatMap(store.queryItems.slot(of:)),
                touch: key.touch.flatMap(store.userItems.slot(of:))
            )
            slots.append(slot)
            if let item = slot.item {
                store.items.prefetchValue(item)
                // Only the lanes a row reads: by the search's device and by its daypart.
                store.itemContext.prefetch(item, lanes: places.itemDevice..<(places.itemDevice + 1))
                store.itemContext.prefetch(item, lanes: places.itemDaypart..<(places.itemDaypart + 1))
            }
            if let query = slot.query { store.queryItems.prefetchValue(query) }
            if let touch = slot.touch { store.userItems.prefetchValue(touch) }
        }
        declared.reserveCapacity(store.itemValues.width * candidates.count)
        var entries: [CandidateEntries] = []
        entries.reserveCapacity(candidates.count)
        for index in candidates.indices {
            let (item, query, touch) = slots[index]
            var entry = CandidateEntries(position: index, item: keys[index].item, of: candidates[index])
            if let item {
                let row = store.items.values[item]
                entry.row = row
                entry.slot = item
                if !recent.isEmpty && row.neighbours > 0 { store.neighbours.prefetch(item, lanes: 0..<Int(row.neighbours)) }
            }
            entry.query = query.map { store.queryItems.values[$0] }
            entry.touch = touch.map { store.userItems.values[$0] }
            let storedAttributes = entry.row?.attributes ?? ItemKeys()
            if let carried = candidates[index].attributes, carried.isKnown {
                entry.attributes = carried
                entry.attributesAreNew = carried != storedAttributes
            } else {
                entry.attributes = storedAttributes
            }
            if store.itemValues.width > 0 {
                let stored = item.map { Array(store.itemValues.lanes(of: $0)) }
                let carried = candidates[index].declared
                if carried.count == store.itemValues.width, DeclaredFeatures.anyKnown(carried) {
                    declared += carried
                    entry.declaredAreNew = carried != stored
                } else {
                    declared += stored ?? Array(repeating: DeclaredValue.missing, count: store.itemValues.width)
                }
            }
            entries.append(entry)
        }
        if !recent.isEmpty {
            for index in entries.indices { entries[index].cooccurring = cooccurrence(of: entries[index], in: store) }
        }
        if let user, let userRow { lookUpShares(of: entries, user: user, row: userRow, in: store) }
        return entries
    }

    /// The summed weight of the candidate's neighbours among the searcher's recent items (their lanes were
    /// prefetched as the entries were read).
    private func cooccurrence(of entries: CandidateEntries, in store: FeatureStore) -> Double {
        guard let slot = entries.slot, let row = entries.row else { return 0 }
        var weight = 0.0
        for lane in 0..<Int(row.neighbours) {
            let neighbour = store.neighbours[slot, lane]
            if recent.contains(neighbour.item) { weight += Double(neighbour.weight) }
        }
        return weight
    }

    /// The declared item values of a candidate (``declared``).
    private func declared(of entries: CandidateEntries, in store: FeatureStore) -> ArraySlice<UInt64> {
        let width = store.itemValues.width
        return declared[(entries.position * width)..<((entries.position + 1) * width)]
    }

    /// Looks up the searcher's share of interactions in each candidate's groups (its category, brand and price
    /// band, and its declared item values), in passes as the entries are. Only groups the user's taste bits allow
    /// are looked up (``UserRow/tasteGroups``): a clear bit means no taste there, a share of 0. Candidates share
    /// groups, so most look-ups after the first of a group find it in the caches.
    private mutating func lookUpShares(of entries: [CandidateEntries], user: UInt64, row: UserRow, in store: FeatureStore) {
        let lanes = ShareLane.count(in: store)
        let categorical = lanes == ShareLane.declared ? [] : store.declared.declarations(of: .item).map { $0.kind == .categorical }
        // The places in `shares` to look up (a candidate's lanes in a row), with their (user, group) keys.
        var asked: [(place: Int, key: UInt64)] = []
        for index in entries.indices {
            let attributes = entries[index].attributes
            func ask(_ lane: Int, _ group: UInt64?) {
                guard let group, row.tasteGroups.mayContain(group) else { return }
                let key = FeatureKey.pair(user, group)
                asked.append((index * lanes + lane, key))
                store.tastes.prefetch(key)
            }
            ask(ShareLane.category, GroupKind.category.key(attributes.category))
            ask(ShareLane.brand, GroupKind.brand.key(attributes.brand))
            ask(ShareLane.priceBand, GroupKind.priceBand.key(attributes.priceBand))
            for (lane, value) in declared(of: entries[index], in: store).enumerated()
            where categorical[lane] && value != DeclaredValue.missing {
                ask(ShareLane.declared + lane, value)
            }
        }
        let slots = asked.map { _, key in
            let slot = store.tastes.slot(of: key)
            if let slot { store.tastes.prefetchValue(slot) }
            return slot
        }
        let interactions = max(Double(row.interactions), 1e-9)
        shares = [Double](repeating: 0, count: lanes * entries.count)
        for (place, slot) in zip(asked.lazy.map(\.place), slots) {
            if let slot { shares[place] = Double(store.tastes.values[slot]) / interactions }
        }
    }

    /// The searcher's share of interactions in a candidate's group `lane` (``ShareLane``); 0 when the store does
    /// not know the searcher.
    private func share(_ lane: Int, of entries: CandidateEntries, in store: FeatureStore) -> Double {
        shares.isEmpty ? 0 : shares[entries.position * ShareLane.count(in: store) + lane]
    }

    /// Writes one candidate's row (``FeatureSchema/width`` values); returns the candidate's attributes when
    /// the store holds other ones for it.
    mutating func write(
        _ entries: CandidateEntries, from store: FeatureStore, into values: UnsafeMutableBufferPointer<Float>
    ) -> CatalogUpdate? {
        let item = entries.item
        let counts = entries.row ?? ItemRow()
        let shown = Double(counts.shown)
        let fade = entries.row == nil ? 0 : Double(FeatureStore.fade(from: counts.updated, to: context.time, halfLife: store.limits.halfLife))
        let ctr = smoothed(Double(counts.clicks), over: shown, prior: globalCTR, strength: 20)
        let attributes = entries.attributes
        let queryCounts = entries.query
        let touch = entries.touch
        let category = GroupKind.category.key(attributes.category)
        let band = GroupKind.priceBand.key(attributes.priceBand)
        let categorySlot = category.flatMap(store.groups.slot(of:))
        let bandSlot = band.flatMap(store.groups.slot(of:))
        let cooccurring = entries.cooccurring
        let sessionCategory = UInt32(truncatingIfNeeded: attributes.category)
        let sessionItemClicks = session.reduce(0) { $0 + ($1.item == item ? 1 : 0) }
        let sessionCategoryShare = attributes.category == 0 ? 0
            : Double(session.reduce(0) { $0 + ($1.category == sessionCategory ? 1 : 0) }) / Double(max(session.count, 1))
        func itemRate(_ lane: Int) -> Double { rate(entries.slot.map { store.itemContext[$0, lane] }, prior: ctr) }
        func groupRate(_ group: Int?, _ lane: Int) -> Double { rate(group.map { store.groupContext[$0, lane] }, prior: ctr) }
        let row = FeatureRow(values: values)
        row[.searchScore] = entries.searchScore
        row[.originalRankLog] = logOnePlus.of(Double(entries.originalRank))
        row[.itemShownLog] = logOnePlus.of(shown * fade)
        row[.itemCTR] = ctr
        row[.itemCartRate] = smoothed(Double(counts.carts), over: shown, prior: globalCart, strength: 20)
        row[.itemPurchaseRate] = smoothed(Double(counts.purchases), over: shown, prior: globalPurchase, strength: 20)
        row[.itemClicksLog] = logOnePlus.of(Double(counts.clicks) * fade)
        row[.itemDebiasedCTR] = smoothed(Double(counts.clicks), over: Double(counts.examinations), prior: globalCTR, strength: 20)
        row[.queryItemCTR] = smoothed(Double(queryCounts?.clicks ?? 0), over: Double(queryCounts?.shown ?? 0), prior: ctr, strength: 10)
        row[.queryItemClicksLog] = logOnePlus.of(Double(queryCounts?.clicks ?? 0))
        let debiasedCTR = row[.itemDebiasedCTR]
        row[.queryItemDebiasedCTR] = smoothed(
            Double(queryCounts?.clicks ?? 0), over: Double(queryCounts?.examinations ?? 0), prior: debiasedCTR, strength: 10)
        let itemAttractiveness = attractiveness(counts.cascade, prior: globalAttractiveness, strength: 10)
        row[.itemCascadeAttractiveness] = itemAttractiveness
        row[.queryItemCascadeAttractiveness] = attractiveness(queryCounts?.cascade ?? RateCounts(), prior: itemAttractiveness, strength: 5)
        row[.itemCold] = shown < 5 ? 1 : 0
        row[.priceLog] = logOnePlus.of(Double(max(0, attributes.price)))
        row[.userItemInteractionsLog] = logOnePlus.of(Double(touch?.count ?? 0))
        row[.userItemHoursSinceLog] = touch.map { logOnePlus.of(max(0, context.time - $0.last) / 3600) } ?? logOnePlus.ofAYear
        row[.userCategoryShare] = share(ShareLane.category, of: entries, in: store)
        row[.userBrandShare] = share(ShareLane.brand, of: entries, in: store)
        row[.userPriceBandShare] = share(ShareLane.priceBand, of: entries, in: store)
        row[.userCooccurrence] = logOnePlus.of(cooccurring)
        row[.sessionItemClicks] = Double(sessionItemClicks)
        row[.sessionCategoryShare] = sessionCategoryShare
        row[.userCold] = userRow == nil ? 1 : 0
        row[.deviceItemCTR] = itemRate(places.itemDevice)
        row[.daypartItemCTR] = itemRate(places.itemDaypart)
        row[.categoryDeviceCTR] = groupRate(categorySlot, places.device)
        row[.categoryDaypartCTR] = groupRate(categorySlot, places.daypart)
        row[.categoryWeekendCTR] = groupRate(categorySlot, places.weekend)
        row[.priceBandDeviceCTR] = groupRate(bandSlot, places.device)
        row[.priceBandDaypartCTR] = groupRate(bandSlot, places.daypart)
        row[.deviceMobile] = context.device == .mobile ? 1 : 0
        row[.deviceTablet] = context.device == .tablet ? 1 : 0
        row[.deviceDesktop] = context.device == .desktop ? 1 : 0
        row[.hourSin] = hourSin
        row[.hourCos] = hourCos
        row[.weekdaySin] = weekdaySin
        row[.weekdayCos] = weekdayCos
        row[.weekend] = context.localTime.isWeekend ? 1 : 0
        if !store.declared.isEmpty { writeDeclared(entries, itemCTR: ctr, from: store, into: values) }
        guard entries.attributesAreNew || entries.declaredAreNew else { return nil }
        return CatalogUpdate(
            item: item, attributes: entries.attributesAreNew ? attributes : ItemKeys(),
            declared: entries.declaredAreNew ? Array(declared(of: entries, in: store)) : [])
    }

    /// Writes the declared columns, after the built-in ones, in ``DeclaredFeatures/columns`` order.
    private func writeDeclared(
        _ entries: CandidateEntries, itemCTR: Double, from store: FeatureStore, into values: UnsafeMutableBufferPointer<Float>
    ) {
        var column = FeatureSchema.width
        let itemValues = declared(of: entries, in: store)
        var itemLane = 0
        func write(_ value: Double) {
            values[column] = Float(value)
            column += 1
        }
        func number(_ lane: UInt64, _ kind: FeatureDeclaration.Kind) -> Double {
            guard let value = DeclaredValue.number(in: lane) else { return 0 }
            return kind == .ageDays ? (context.time - value) / 86_400 : value
        }
        for (index, declaration) in store.declared.declarations.enumerated() {
            switch (declaration.source, declaration.kind) {
            case (.item, .categorical):
                let value = itemValues[itemValues.startIndex + itemLane]
                let share = share(ShareLane.declared + itemLane, of: entries, in: store)
                itemLane += 1
                let slot = value == DeclaredValue.missing ? nil : store.groups.slot(of: value)
                let counts = slot.map { slot in
                    (0..<ContextLanes.devices).reduce(into: RateCounts()) { total, lane in
                        total.shown += store.groupContext[slot, lane].shown
                        total.clicks += store.groupContext[slot, lane].clicks
                    }
                }
                write(rate(counts, prior: globalCTR))
                write(share)
            case (.item, let kind):
                write(number(itemValues[itemValues.startIndex + itemLane], kind))
                itemLane += 1
            case (.user, .categorical), (.context, .categorical):
                // The segment's key is its lane, counted with the items shown like a query.
                let lane = searchLanes[index]
                let pair = lane == DeclaredValue.missing ? nil : store.queryItems.slot(of: FeatureKey.pair(lane, entries.item))
                let counts = pair.map { store.queryItems.values[$0] }
                write(smoothed(Double(counts?.clicks ?? 0), over: Double(counts?.shown ?? 0), prior: itemCTR, strength: 10))
            case (.user, let kind), (.context, let kind):
                write(number(searchLanes[index], kind))
            }
        }
    }
}

/// A candidate's groups in ``Searcher``'s shares: its category, brand and price band, then one per declared item
/// value (0 for numeric ones).
private enum ShareLane {
    static let category = 0
    static let brand = 1
    static let priceBand = 2
    static let declared = 3

    static func count(in store: FeatureStore) -> Int { declared + store.itemValues.width }
}

/// `log1p`, looked up in a table for whole numbers below 4,096 (ranks, counts, many prices) and otherwise
/// computed from `log`, which is faster than `log1p`. Rows hold `Float`s: the values are `log1p`'s once rounded to
/// `Float` (-0 becomes 0: every reader compares them equal).
///
/// A searcher keeps its own copy of ``shared``: a static table is a lazily initialized global, and every read of
/// one checks, through a call, that it was initialized (eight times per row).
struct LogOnePlus {
    static let shared = LogOnePlus()

    private let wholeNumbers: [Double] = (0..<4096).map { log1p(Double($0)) }
    /// The value for a user who never touched the item: a year's hours.
    let ofAYear = log1p(24 * 365.0)

    private init() {}

    @inline(__always) func of(_ value: Double) -> Double {
        guard value >= 0, value < 4096 else { return value > 0 && value.isFinite ? fromLog(value) : log1p(value) }
        let whole = Int(value)
        return Double(whole) == value ? wholeNumbers[whole] : fromLog(value)
    }

    /// `log(1 + x)` corrected for the rounding of `1 + x` (Goldberg, "What every computer scientist should know
    /// about floating-point arithmetic", theorem 4): within a few units in the last place of `log1p(x)` for
    /// finite `x >= 0`, far below a `Float`'s.
    @inline(__always) private func fromLog(_ x: Double) -> Double {
        let sum = 1 + x
        return sum == 1 ? x : log(sum) * (x / (sum - 1))
    }
}

/// One row being written, a value per ``Feature``.
private struct FeatureRow {
    let values: UnsafeMutableBufferPointer<Float>

    subscript(feature: Feature) -> Double {
        get { Double(values[feature.rawValue]) }
        nonmutating set { values[feature.rawValue] = Float(newValue) }
    }
}
