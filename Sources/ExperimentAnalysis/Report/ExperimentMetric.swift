import Experiments

/// A per-search measure the report compares between variants, as a ratio of per-user sums over searches.
public enum ExperimentMetric: String, Sendable, CaseIterable {
    /// Share of searches with at least one click.
    case ctr
    /// Share of searches with an add-to-cart.
    case addToCartRate = "add_to_cart_rate"
    /// Share of searches with a purchase.
    case purchaseRate = "purchase_rate"
    /// Click events per search.
    case clicksPerSearch = "clicks_per_search"
    /// Mean reciprocal rank of the first click (0 for a search without one).
    case mrr

    /// The search's contribution to the metric's numerator.
    public func value(_ search: ExperimentSearch) -> Double {
        switch self {
        case .ctr: search.clicks > 0 ? 1 : 0
        case .addToCartRate: search.addedToCart ? 1 : 0
        case .purchaseRate: search.purchased ? 1 : 0
        case .clicksPerSearch: Double(search.clicks)
        case .mrr: search.firstClickPosition.map { 1 / Double($0 + 1) } ?? 0
        }
    }
}
