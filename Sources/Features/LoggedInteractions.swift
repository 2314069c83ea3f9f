import RerankCore

/// One logged search as training replays it: what was shown, to whom, in which context.
public struct LoggedImpression: Sendable {
    public var queryID: String
    /// Seconds since 1970.
    public var time: Double
    public var userID: String?
    public var sessionID: String?
    public var device: Device
    public var localTime: LocalTime
    public var query: String
    /// Shown item ids, in the order shown.
    public var items: [String]
    /// Each shown item's 0-based rank in the engine's order (the shown position when unknown).
    public var originalRanks: [Int]
    /// Each shown item's search score (0 when unknown).
    public var searchScores: [Double]

    public init(
        queryID: String, time: Double, userID: String?, sessionID: String?, device: Device, localTime: LocalTime,
        query: String, items: [String], originalRanks: [Int]? = nil, searchScores: [Double]? = nil
    ) {
        self.queryID = queryID
        self.time = time
        self.userID = userID
        self.sessionID = sessionID
        self.device = device
        self.localTime = localTime
        self.query = query
        self.items = items
        self.originalRanks = originalRanks ?? Array(items.indices)
        self.searchScores = searchScores ?? Array(repeating: 0, count: items.count)
    }
}

extension LoggedImpression {
    /// The search as features see it, with the query normalized.
    public var featureContext: FeatureContext {
        FeatureContext(
            time: time, userID: userID, sessionID: sessionID, device: device, localTime: localTime,
            query: FeatureState.normalize(query: query)
        )
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
