import Foundation

/// Interaction counters that fade with a half-life, so last month weighs less than today.
public struct DecayedCounts: Sendable, Codable, Equatable {
    public var shown = 0.0
    public var clicks = 0.0
    public var carts = 0.0
    public var purchases = 0.0
    /// Sum of the examination propensities of the positions the item was shown at.
    public var examinations = 0.0
    /// Seconds since 1970 of the last update; nil before the first.
    public var updated: Double?

    public init() {}

    /// Fades every counter from `updated` to `time`.
    mutating func decay(to time: Double, halfLife: Double) {
        guard let updated else {
            self.updated = time
            return
        }
        guard time > updated else { return }
        if halfLife > 0 {
            let factor = exp2(-(time - updated) / halfLife)
            shown *= factor
            clicks *= factor
            carts *= factor
            purchases *= factor
            examinations *= factor
        }
        self.updated = time
    }

    /// The factor counters last updated at ``updated`` have faded by at `time` (0 when never updated).
    func fade(at time: Double, halfLife: Double) -> Double {
        guard let updated else { return 0 }
        return halfLife > 0 ? exp2(-max(0, time - updated) / halfLife) : 1
    }

    mutating func add(_ kind: InteractionKind, weight: Double = 1) {
        switch kind {
        case .click: clicks += weight
        case .addToCart: carts += weight
        case .purchase: purchases += weight
        }
    }

    /// `numerator / shown`, pulled towards `prior` with the strength of `strength` impressions.
    static func smoothed(_ numerator: Double, over denominator: Double, prior: Double, strength: Double) -> Double {
        (numerator + prior * strength) / (denominator + strength)
    }
}

/// What a person did with a shown item, in increasing order of intent.
public enum InteractionKind: Int, Sendable, Codable, CaseIterable {
    case click = 1
    case addToCart = 2
    case purchase = 3

    /// Reads UBI action names: `click`, `add_to_cart`, `purchase` (and a few common synonyms).
    public init?(actionName: String) {
        switch actionName.lowercased() {
        case "click", "item_click", "product_click": self = .click
        case "add_to_cart", "addtocart", "add-to-cart", "cart": self = .addToCart
        case "purchase", "buy", "order", "checkout": self = .purchase
        default: return nil
        }
    }
}
