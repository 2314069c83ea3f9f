import Foundation
import RerankCore

extension FeatureStore {
    /// Feature rows for `candidates`, row-major in ``FeatureSchema`` order, from the store as it is now.
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
        var rows = [Float](repeating: 0, count: candidates.count * FeatureSchema.width)
        rows.withUnsafeMutableBufferPointer { rows in
            let searcher = Searcher(store: self, context: context)
            for (index, candidate) in candidates.enumerated() {
                let row = UnsafeMutableBufferPointer(rebasing: rows[(index * FeatureSchema.width)..<((index + 1) * FeatureSchema.width)])
                if let learned = searcher.write(candidate, into: row) { newAttributes.append(learned) }
            }
        }
        return rows
    }
}

/// What one search reads once, before its candidates: the searcher's profile, session and recent items.
private struct Searcher {
    let store: FeatureStore
    let context: FeatureContext
    let user: UInt64?
    let userRow: UserRow?
    let recent: ArraySlice<UInt64>
    let session: [SessionClick]
    let query: UInt64?
    let globalCTR: Double
    let globalCart: Double
    let globalPurchase: Double
    let device: Int
    let daypart: Int
    let weekend: Int
    let hourAngle: Double
    let dayAngle: Double

    init(store: FeatureStore, context: FeatureContext) {
        self.store = store
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
        globalCTR = (store.totalClicks + 1) / (store.totalShown + 20)
        globalCart = (store.totalCarts + 0.1) / (store.totalShown + 20)
        globalPurchase = (store.totalPurchases + 0.05) / (store.totalShown + 20)
        device = ContextLanes.device(context.device)
        daypart = ContextLanes.daypart(context.localTime.daypart)
        weekend = ContextLanes.weekend(context.localTime.isWeekend)
        hourAngle = Double(context.localTime.hour) / 24 * 2 * .pi
        dayAngle = Double(context.localTime.weekday - 1) / 7 * 2 * .pi
    }

    /// `numerator / denominator`, pulled towards `prior` with the strength of `strength` impressions.
    private func smoothed(_ numerator: Double, over denominator: Double, prior: Double, strength: Double) -> Double {
        (numerator + prior * strength) / (denominator + strength)
    }

    private func rate(_ counts: RateCounts?, prior: Double) -> Double {
        smoothed(Double(counts?.clicks ?? 0), over: Double(counts?.shown ?? 0), prior: prior, strength: 10)
    }

    private func share(_ group: UInt64?) -> Double {
        guard let user, let userRow, let group, let slot = store.tastes.slot(of: FeatureKey.pair(user, group)) else { return 0 }
        return Double(store.tastes.values[slot]) / max(Double(userRow.interactions), 1e-9)
    }

    /// Writes one candidate's row (``FeatureSchema/width`` values); returns the candidate's attributes when
    /// the store holds other ones for it.
    func write(_ candidate: Candidate, into values: UnsafeMutableBufferPointer<Float>) -> CatalogUpdate? {
        let item = FeatureKey.of(candidate.id)
        let slot = store.items.slot(of: item)
        let counts = slot.map { store.items.values[$0] } ?? ItemRow()
        let shown = Double(counts.shown)
        let fade = slot == nil ? 0 : Double(FeatureStore.fade(from: counts.updated, to: context.time, halfLife: store.limits.halfLife))
        let ctr = smoothed(Double(counts.clicks), over: shown, prior: globalCTR, strength: 20)
        let attributes = candidate.attributes.flatMap { $0.isKnown ? $0 : nil } ?? counts.attributes
        let queryCounts = query.flatMap { store.queryItems.slot(of: FeatureKey.pair($0, item)) }.map { store.queryItems.values[$0] }
        let touch = user.flatMap { store.userItems.slot(of: FeatureKey.pair($0, item)) }.map { store.userItems.values[$0] }
        let category = GroupKind.category.key(attributes.category)
        let band = GroupKind.priceBand.key(attributes.priceBand)
        let categorySlot = category.flatMap(store.groups.slot(of:))
        let bandSlot = band.flatMap(store.groups.slot(of:))
        var cooccurring = 0.0
        if let slot, !recent.isEmpty {
            for neighbour in store.neighbours.lanes(of: slot) where neighbour.weight > 0 && recent.contains(neighbour.item) {
                cooccurring += Double(neighbour.weight)
            }
        }
        let sessionCategory = UInt32(truncatingIfNeeded: attributes.category)
        let sessionItemClicks = session.reduce(0) { $0 + ($1.item == item ? 1 : 0) }
        let sessionCategoryShare = attributes.category == 0 ? 0
            : Double(session.reduce(0) { $0 + ($1.category == sessionCategory ? 1 : 0) }) / Double(max(session.count, 1))
        func itemRate(_ lane: Int) -> Double { rate(slot.map { store.itemContext[$0, lane] }, prior: ctr) }
        func groupRate(_ group: Int?, _ lane: Int) -> Double { rate(group.map { store.groupContext[$0, lane] }, prior: ctr) }
        let row = FeatureRow(values: values)
        row[.searchScore] = candidate.searchScore
        row[.originalRankLog] = log1p(Double(candidate.originalRank))
        row[.itemShownLog] = log1p(shown * fade)
        row[.itemCTR] = ctr
        row[.itemCartRate] = smoothed(Double(counts.carts), over: shown, prior: globalCart, strength: 20)
        row[.itemPurchaseRate] = smoothed(Double(counts.purchases), over: shown, prior: globalPurchase, strength: 20)
        row[.itemClicksLog] = log1p(Double(counts.clicks) * fade)
        row[.itemDebiasedCTR] = smoothed(Double(counts.clicks), over: Double(counts.examinations), prior: globalCTR, strength: 20)
        row[.queryItemCTR] = smoothed(Double(queryCounts?.clicks ?? 0), over: Double(queryCounts?.shown ?? 0), prior: ctr, strength: 10)
        row[.queryItemClicksLog] = log1p(Double(queryCounts?.clicks ?? 0))
        row[.itemCold] = shown < 5 ? 1 : 0
        row[.priceLog] = log1p(Double(max(0, attributes.price)))
        row[.userItemInteractionsLog] = log1p(Double(touch?.count ?? 0))
        row[.userItemHoursSinceLog] = touch.map { log1p(max(0, context.time - $0.last) / 3600) } ?? log1p(24 * 365)
        row[.userCategoryShare] = share(category)
        row[.userBrandShare] = share(GroupKind.brand.key(attributes.brand))
        row[.userPriceBandShare] = share(band)
        row[.userCooccurrence] = log1p(cooccurring)
        row[.sessionItemClicks] = Double(sessionItemClicks)
        row[.sessionCategoryShare] = sessionCategoryShare
        row[.userCold] = userRow == nil ? 1 : 0
        row[.deviceItemCTR] = itemRate(device)
        row[.daypartItemCTR] = itemRate(daypart)
        row[.categoryDeviceCTR] = groupRate(categorySlot, device)
        row[.categoryDaypartCTR] = groupRate(categorySlot, daypart)
        row[.categoryWeekendCTR] = groupRate(categorySlot, weekend)
        row[.priceBandDeviceCTR] = groupRate(bandSlot, device)
        row[.priceBandDaypartCTR] = groupRate(bandSlot, daypart)
        row[.deviceMobile] = context.device == .mobile ? 1 : 0
        row[.deviceTablet] = context.device == .tablet ? 1 : 0
        row[.deviceDesktop] = context.device == .desktop ? 1 : 0
        row[.hourSin] = sin(hourAngle)
        row[.hourCos] = cos(hourAngle)
        row[.weekdaySin] = sin(dayAngle)
        row[.weekdayCos] = cos(dayAngle)
        row[.weekend] = context.localTime.isWeekend ? 1 : 0
        guard let known = candidate.attributes, known.isKnown, known != counts.attributes else { return nil }
        return CatalogUpdate(item: item, attributes: known)
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
