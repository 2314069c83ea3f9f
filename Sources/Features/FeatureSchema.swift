/// The groups features belong to, for ablations (`rerank train --without context,user`).
public enum FeatureFamily: String, Sendable, Codable, CaseIterable {
    /// The engine's own verdict: search score and original rank.
    case search
    /// Item popularity and interaction rates, overall and per query, position-bias corrected.
    case item
    /// The searcher's history: items, categories, brands, price bands, similar items, session.
    case user
    /// Device, local hour, weekday, and the rates conditioned on them.
    case context
    /// The storefront's own item, user and context data (``DeclaredFeatures``).
    case declared
}

/// One feature: its name (as stored in model files) and family.
public struct FeatureDefinition: Sendable, Equatable {
    public let name: String
    public let family: FeatureFamily
}

/// Every feature, in the column order models are trained and served with. The row writer
/// (``FeatureStore/features(for:in:)``) writes each value by its case, so the row and the schema cannot drift.
public enum Feature: Int, Sendable, CaseIterable {
    case searchScore, originalRankLog
    case itemShownLog, itemCTR, itemCartRate, itemPurchaseRate, itemClicksLog, itemDebiasedCTR, queryItemCTR,
        queryItemClicksLog, queryItemDebiasedCTR, itemCascadeAttractiveness, queryItemCascadeAttractiveness, itemCold,
        priceLog
    case userItemInteractionsLog, userItemHoursSinceLog, userCategoryShare, userBrandShare, userPriceBandShare,
        userCooccurrence, sessionItemClicks, sessionCategoryShare, userCold
    case deviceItemCTR, daypartItemCTR, categoryDeviceCTR, categoryDaypartCTR, categoryWeekendCTR, priceBandDeviceCTR,
        priceBandDaypartCTR, deviceMobile, deviceTablet, deviceDesktop, hourSin, hourCos, weekdaySin, weekdayCos, weekend

    /// The name model files store.
    public var name: String {
        switch self {
        case .searchScore: "search_score"
        case .originalRankLog: "original_rank_log"
        case .itemShownLog: "item_shown_log"
        case .itemCTR: "item_ctr"
        case .itemCartRate: "item_cart_rate"
        case .itemPurchaseRate: "item_purchase_rate"
        case .itemClicksLog: "item_clicks_log"
        case .itemDebiasedCTR: "item_debiased_ctr"
        case .queryItemCTR: "query_item_ctr"
        case .queryItemClicksLog: "query_item_clicks_log"
        case .queryItemDebiasedCTR: "query_item_debiased_ctr"
        case .itemCascadeAttractiveness: "item_cascade_attractiveness"
        case .queryItemCascadeAttractiveness: "query_item_cascade_attractiveness"
        case .itemCold: "item_cold"
        case .priceLog: "price_log"
        case .userItemInteractionsLog: "user_item_interactions_log"
        case .userItemHoursSinceLog: "user_item_hours_since_log"
        case .userCategoryShare: "user_category_share"
        case .userBrandShare: "user_brand_share"
        case .userPriceBandShare: "user_price_band_share"
        case .userCooccurrence: "user_cooccurrence"
        case .sessionItemClicks: "session_item_clicks"
        case .sessionCategoryShare: "session_category_share"
        case .userCold: "user_cold"
        case .deviceItemCTR: "device_item_ctr"
        case .daypartItemCTR: "daypart_item_ctr"
        case .categoryDeviceCTR: "category_device_ctr"
        case .categoryDaypartCTR: "category_daypart_ctr"
        case .categoryWeekendCTR: "category_weekend_ctr"
        case .priceBandDeviceCTR: "price_band_device_ctr"
        case .priceBandDaypartCTR: "price_band_daypart_ctr"
        case .deviceMobile: "device_mobile"
        case .deviceTablet: "device_tablet"
        case .deviceDesktop: "device_desktop"
        case .hourSin: "hour_sin"
        case .hourCos: "hour_cos"
        case .weekdaySin: "weekday_sin"
        case .weekdayCos: "weekday_cos"
        case .weekend: "weekend"
        }
    }

    public var family: FeatureFamily {
        switch self {
        case .searchScore, .originalRankLog: .search
        case .itemShownLog, .itemCTR, .itemCartRate, .itemPurchaseRate, .itemClicksLog, .itemDebiasedCTR, .queryItemCTR,
            .queryItemClicksLog, .queryItemDebiasedCTR, .itemCascadeAttractiveness, .queryItemCascadeAttractiveness,
            .itemCold, .priceLog:
            .item
        case .userItemInteractionsLog, .userItemHoursSinceLog, .userCategoryShare, .userBrandShare, .userPriceBandShare,
            .userCooccurrence, .sessionItemClicks, .sessionCategoryShare, .userCold:
            .user
        default: .context
        }
    }
}

/// The features, in the column order models are trained and served with.
public enum FeatureSchema {
    public static let definitions: [FeatureDefinition] = Feature.allCases.map { FeatureDefinition(name: $0.name, family: $0.family) }

    public static let names: [String] = definitions.map(\.name)

    /// Values per row.
    public static let width = Feature.allCases.count

    /// The values of `columns` from full rows (`width` values each, row-major; by default the built-in
    /// features only), row by row: what a model trained on those columns reads.
    ///
    /// A model that reads every column in order (most do) gets the rows themselves, not a copy.
    public static func select(_ columns: [Int], from rows: [Float], width: Int = width) -> [Float] {
        if columns.count == width && columns.indices.allSatisfy({ columns[$0] == $0 }) { return rows }
        let count = rows.count / width
        return rows.withUnsafeBufferPointer { rows in
            [Float](unsafeUninitializedCapacity: count * columns.count) { selected, initialized in
                var next = 0
                for start in stride(from: 0, to: count * width, by: width) {
                    for column in columns {
                        selected[next] = rows[start + column]
                        next += 1
                    }
                }
                initialized = next
            }
        }
    }

    /// Column indices of features outside `excluded` families: the built-in ones, then `declared` ones
    /// (family ``FeatureFamily/declared``).
    public static func columns(excluding excluded: Set<FeatureFamily>, declared: DeclaredFeatures = .none) -> [Int] {
        let builtIn = definitions.indices.filter { !excluded.contains(definitions[$0].family) }
        return excluded.contains(.declared) ? builtIn : builtIn + Array(width..<(width + declared.columns.count))
    }
}
