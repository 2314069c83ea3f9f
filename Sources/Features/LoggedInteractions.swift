import RerankCore

/// One logged search: what was shown, in which search context. Training, evaluation and serving all replay
/// searches in this shape.
public struct LoggedImpression: Sendable {
    public var queryID: String
    /// Who searched, when, where, for what (the query normalized).
    public var context: FeatureContext
    /// Shown item ids, in the order shown.
    public var items: [String]
    /// Each shown item's 0-based rank in the engine's order (the shown position when unknown).
    public var originalRanks: [Int]
    /// Each shown item's search score (0 when unknown).
    public var searchScores: [Double]
    /// The 0-based position of the first shown item in the whole result list (the search's `from`): the
    /// `n`th item was shown at absolute position `firstPosition + n`.
    public var firstPosition: Int
    /// What exploration moved, when the search was explored; position-bias estimation reads its swaps.
    public var exploration: ExplorationRecord?

    /// - Parameter query: the query text as searched; it is normalized (``FeatureStore/normalize(query:)``).
    public init(
        queryID: String, time: Double, userID: String?, sessionID: String?, device: Device, localTime: LocalTime,
        query: String, items: [String], originalRanks: [Int]? = nil, searchScores: [Double]? = nil, firstPosition: Int = 0,
        exploration: ExplorationRecord? = nil, attributes: [String: String] = [:]
    ) {
        self.queryID = queryID
        context = FeatureContext(
            time: time, userID: userID, sessionID: sessionID, device: device, localTime: localTime,
            query: FeatureStore.normalize(query: query), attributes: attributes)
        self.items = items
        self.originalRanks = originalRanks ?? Array(items.indices)
        self.searchScores = searchScores ?? Array(repeating: 0, count: items.count)
        self.firstPosition = max(0, firstPosition)
        self.exploration = exploration
    }

    /// The absolute position the item at `index` of ``items`` was shown at.
    public func position(ofShown index: Int) -> Int { firstPosition + index }

    /// Seconds since 1970.
    public var time: Double { context.time }
    public var userID: String? { context.userID }
    public var sessionID: String? { context.sessionID }
    public var device: Device { context.device }
    public var localTime: LocalTime { context.localTime }

    /// The shown items as feature candidates, with their engine rank and score.
    public var candidates: [Candidate] {
        items.indices.map { Candidate(id: items[$0], searchScore: searchScores[$0], originalRank: originalRanks[$0]) }
    }
}

/// Logged searches and interactions, each in time order: what a replay reads.
public struct ReplayLog: Sendable {
    public var impressions: [LoggedImpression]
    public var events: [LoggedEvent]

    /// Sorts both by time (records with equal times keep their order).
    public init(impressions: [LoggedImpression], events: [LoggedEvent]) {
        self.impressions = impressions.sorted { $0.time < $1.time }
        self.events = events.sorted { $0.time < $1.time }
    }
}

/// One logged click, add-to-cart or purchase.
public struct LoggedEvent: Sendable {
    public var queryID: String?
    public var time: Double
    public var kind: InteractionKind
    public var itemID: String
    public var userID: String?
    public var sessionID: String?
    /// The absolute 0-based position the item was shown at (`position.ordinal`), when the client sent it.
    public var position: Int?

    public init(queryID: String?, time: Double, kind: InteractionKind, itemID: String, userID: String?, sessionID: String?, position: Int?) {
        self.queryID = queryID
        self.time = time
        self.kind = kind
        self.itemID = itemID
        self.userID = userID
        self.sessionID = sessionID
        self.position = position
    }
}

/// Graded relevance from what people did: by default purchase 3, add-to-cart 2, click 1, shown 0.
public struct LabelGains: Sendable, Codable, Equatable {
    public var click = 1.0
    public var addToCart = 2.0
    public var purchase = 3.0

    public init() {}

    public func gain(_ kind: InteractionKind) -> Double {
        switch kind {
        case .click: click
        case .addToCart: addToCart
        case .purchase: purchase
        }
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

    /// The UBI action name of the kind: `click`, `add_to_cart`, `purchase` (what ``init(actionName:)`` reads first).
    public var eventName: String {
        switch self {
        case .click: "click"
        case .addToCart: "add_to_cart"
        case .purchase: "purchase"
        }
    }
}
