import Foundation
import RerankCore

/// The search a feature row describes.
public struct FeatureContext: Sendable {
    /// Seconds since 1970.
    public var time: Double
    public var userID: String?
    public var sessionID: String?
    public var device: Device
    public var localTime: LocalTime
    /// Normalized query text.
    public var query: String

    public init(time: Double, userID: String?, sessionID: String?, device: Device, localTime: LocalTime, query: String) {
        self.time = time
        self.userID = userID
        self.sessionID = sessionID
        self.device = device
        self.localTime = localTime
        self.query = query
    }
}

/// One hit to compute features for.
public struct Candidate: Sendable {
    public var id: String
    public var searchScore: Double
    /// 0-based position in the engine's order.
    public var originalRank: Int
    /// Attributes from the hit itself; the state's catalog is used when nil.
    public var attributes: ItemAttributes?

    public init(id: String, searchScore: Double, originalRank: Int, attributes: ItemAttributes? = nil) {
        self.id = id
        self.searchScore = searchScore
        self.originalRank = originalRank
        self.attributes = attributes
    }
}

extension FeatureState {
    /// Feature rows for `candidates`, row-major in ``FeatureSchema`` order, from the state as it is now.
    public func features(for candidates: [Candidate], in context: FeatureContext) -> [Float] {
        var rows: [Float] = []
        rows.reserveCapacity(candidates.count * FeatureSchema.definitions.count)
        let globalCTR = (totalClicks + 1) / (totalShown + 20)
        let globalCart = (totalCarts + 0.1) / (totalShown + 20)
        let globalPurchase = (totalPurchases + 0.05) / (totalShown + 20)
        let user = context.userID.flatMap { users[$0] }
        let userTotal = max(user?.interactions ?? 0, 1e-9)
        let session = context.sessionID.flatMap { sessions[$0] }?.filter { context.time - $0.time <= limits.sessionTTL } ?? []
        let device = context.device.index
        let daypart = context.localTime.daypart.index
        let hourAngle = Double(context.localTime.hour) / 24 * 2 * .pi
        let dayAngle = Double(context.localTime.weekday - 1) / 7 * 2 * .pi
        let recent = user?.recent ?? []
        for candidate in candidates {
            let item = items[candidate.id]
            let overall = item?.overall ?? DecayedCounts()
            let fade = overall.fade(at: context.time, halfLife: limits.halfLife)
            let ctr = DecayedCounts.smoothed(overall.clicks, over: overall.shown, prior: globalCTR, strength: 20)
            let attributes = candidate.attributes ?? self.attributes[candidate.id]
            let queryCounts = context.query.isEmpty ? nil : queryItems[.init(query: context.query, item: candidate.id)]
            let touch = user?.items[candidate.id]
            let group = attributes?.category.flatMap { groups[FeatureState.groupKey(category: $0)] }
            let band = attributes?.priceBand.flatMap { groups[FeatureState.groupKey(priceBand: $0)] }
            let weekend = context.localTime.isWeekend ? 1 : 0
            let neighbours = cooccurrence[candidate.id]
            var cooccurring = 0.0
            if let neighbours { for other in recent { cooccurring += neighbours[other] ?? 0 } }
            let sessionCategory = attributes?.category.map { category in
                Double(session.filter { $0.category == category }.count) / Double(max(session.count, 1))
            } ?? 0
            func share(_ counts: [String: Double]?, _ key: String?) -> Double {
                guard let key, let counts else { return 0 }
                return (counts[key] ?? 0) / userTotal
            }
            func rate(_ counts: DecayedCounts?) -> Double {
                DecayedCounts.smoothed(counts?.clicks ?? 0, over: counts?.shown ?? 0, prior: ctr, strength: 10)
            }
            let values: [Double] = [
                candidate.searchScore,
                log1p(Double(candidate.originalRank)),
                log1p(overall.shown * fade),
                ctr,
                DecayedCounts.smoothed(overall.carts, over: overall.shown, prior: globalCart, strength: 20),
                DecayedCounts.smoothed(overall.purchases, over: overall.shown, prior: globalPurchase, strength: 20),
                log1p(overall.clicks * fade),
                DecayedCounts.smoothed(overall.clicks, over: overall.examinations, prior: globalCTR, strength: 20),
                rate(queryCounts),
                log1p(queryCounts?.clicks ?? 0),
                overall.shown < 5 ? 1 : 0,
                log1p(attributes?.price ?? 0),
                log1p(touch?.count ?? 0),
                touch.map { log1p(max(0, context.time - $0.last) / 3600) } ?? log1p(24 * 365),
                share(user?.categories, attributes?.category),
                share(user?.brands, attributes?.brand),
                share(user?.bands, attributes?.priceBand),
                log1p(cooccurring),
                Double(session.filter { $0.item == candidate.id }.count),
                sessionCategory,
                user == nil ? 1 : 0,
                rate(item?.byDevice[device]),
                rate(item?.byDaypart[daypart]),
                rate(group?.byDevice[device]),
                rate(group?.byDaypart[daypart]),
                rate(group?.byWeekend[weekend]),
                rate(band?.byDevice[device]),
                rate(band?.byDaypart[daypart]),
                context.device == .mobile ? 1 : 0,
                context.device == .tablet ? 1 : 0,
                context.device == .desktop ? 1 : 0,
                sin(hourAngle),
                cos(hourAngle),
                sin(dayAngle),
                cos(dayAngle),
                context.localTime.isWeekend ? 1 : 0,
            ]
            for value in values { rows.append(Float(value)) }
        }
        return rows
    }
}
