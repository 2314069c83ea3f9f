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
}

/// One feature: its name (as stored in model files) and family.
public struct FeatureDefinition: Sendable, Equatable {
    public let name: String
    public let family: FeatureFamily
}

/// The features, in the column order models are trained and served with.
public enum FeatureSchema {
    public static let definitions: [FeatureDefinition] = [
        .init(name: "search_score", family: .search),
        .init(name: "original_rank_log", family: .search),
        .init(name: "item_shown_log", family: .item),
        .init(name: "item_ctr", family: .item),
        .init(name: "item_cart_rate", family: .item),
        .init(name: "item_purchase_rate", family: .item),
        .init(name: "item_clicks_log", family: .item),
        .init(name: "item_debiased_ctr", family: .item),
        .init(name: "query_item_ctr", family: .item),
        .init(name: "query_item_clicks_log", family: .item),
        .init(name: "item_cold", family: .item),
        .init(name: "price_log", family: .item),
        .init(name: "user_item_interactions_log", family: .user),
        .init(name: "user_item_hours_since_log", family: .user),
        .init(name: "user_category_share", family: .user),
        .init(name: "user_brand_share", family: .user),
        .init(name: "user_price_band_share", family: .user),
        .init(name: "user_cooccurrence", family: .user),
        .init(name: "session_item_clicks", family: .user),
        .init(name: "session_category_share", family: .user),
        .init(name: "user_cold", family: .user),
        .init(name: "device_item_ctr", family: .context),
        .init(name: "daypart_item_ctr", family: .context),
        .init(name: "category_device_ctr", family: .context),
        .init(name: "category_daypart_ctr", family: .context),
        .init(name: "category_weekend_ctr", family: .context),
        .init(name: "price_band_device_ctr", family: .context),
        .init(name: "price_band_daypart_ctr", family: .context),
        .init(name: "device_mobile", family: .context),
        .init(name: "device_tablet", family: .context),
        .init(name: "device_desktop", family: .context),
        .init(name: "hour_sin", family: .context),
        .init(name: "hour_cos", family: .context),
        .init(name: "weekday_sin", family: .context),
        .init(name: "weekday_cos", family: .context),
        .init(name: "weekend", family: .context),
    ]

    public static var names: [String] { definitions.map(\.name) }

    /// Column indices of features outside `excluded` families.
    public static func columns(excluding excluded: Set<FeatureFamily>) -> [Int] {
        definitions.indices.filter { !excluded.contains(definitions[$0].family) }
    }
}
