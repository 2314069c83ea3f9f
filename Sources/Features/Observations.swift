import RerankCore

/// A search result list as it was shown: what features learn exposure and position bias from.
public struct ImpressionObservation: Sendable {
    /// Who searched, when, on what device, for what (normalized query).
    public var context: FeatureContext
    /// Shown item ids, best first.
    public var items: [String]
    /// Attributes of the shown items, when known.
    public var attributes: [String: ItemAttributes]

    public init(context: FeatureContext, items: [String], attributes: [String: ItemAttributes] = [:]) {
        self.context = context
        self.items = items
        self.attributes = attributes
    }
}

/// A click, add-to-cart or purchase.
public struct InteractionObservation: Sendable {
    public var time: Double
    public var kind: InteractionKind
    public var itemID: String
    public var userID: String?
    public var sessionID: String?
    public var device: Device
    public var localTime: LocalTime
    /// Normalized text of the query the interaction came from, when known.
    public var query: String?
    /// 0-based position the item was shown at, when known.
    public var position: Int?

    public init(
        time: Double, kind: InteractionKind, itemID: String, userID: String?, sessionID: String?, device: Device,
        localTime: LocalTime, query: String?, position: Int?
    ) {
        self.time = time
        self.kind = kind
        self.itemID = itemID
        self.userID = userID
        self.sessionID = sessionID
        self.device = device
        self.localTime = localTime
        self.query = query
        self.position = position
    }
}
