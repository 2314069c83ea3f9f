import RerankCore

/// A search in context: who searched, when, on what device, for what. Features are computed for it, and the
/// impressions and events the store learns from carry it.
public struct FeatureContext: Sendable, Equatable {
    /// Seconds since 1970.
    public var time: Double
    public var userID: String?
    public var sessionID: String?
    public var device: Device
    public var localTime: LocalTime
    /// Normalized query text (``FeatureStore/normalize(query:)``).
    public var query: String
    /// The request's other context keys (`ext.rerank.context.<key>`) and their values as text, which declared
    /// context features read.
    public var attributes: [String: String]

    public init(
        time: Double, userID: String?, sessionID: String?, device: Device, localTime: LocalTime, query: String,
        attributes: [String: String] = [:]
    ) {
        self.time = time
        self.userID = userID
        self.sessionID = sessionID
        self.device = device
        self.localTime = localTime
        self.query = query
        self.attributes = attributes
    }

    /// The local time assumed for an event whose search is unknown: noon on a Wednesday. Stored in model
    /// files (``ContextDefaults``) and checked when one is loaded.
    public static let unknownLocalTime = LocalTime(hour: 12, weekday: 3)

    /// The context of an event whose search is unknown: nobody, no query, an unknown device at
    /// ``unknownLocalTime``.
    public static func unknown(at time: Double) -> FeatureContext {
        FeatureContext(time: time, userID: nil, sessionID: nil, device: .unknown, localTime: unknownLocalTime, query: "")
    }
}

/// What features assume where a log does not say: written into model files, and compared when one is loaded,
/// so a model is never served with defaults other than those it was trained with.
public struct ContextDefaults: Sendable, Codable, Equatable {
    public var device: String
    public var hour: Int
    public var weekday: Int

    /// This build's defaults.
    public static let current = ContextDefaults(
        device: Device.unknown.rawValue, hour: FeatureContext.unknownLocalTime.hour,
        weekday: FeatureContext.unknownLocalTime.weekday)
}

/// One hit to compute features for.
public struct Candidate: Sendable {
    public var id: String
    public var searchScore: Double
    /// 0-based position in the engine's order.
    public var originalRank: Int
    /// Attributes from the hit itself; the store's are used when nil or empty.
    public var attributes: ItemKeys?
    /// Declared item values from the hit itself (``DeclaredFeatures/values(of:in:)``); the store's are used
    /// when empty or all missing.
    public var declared: [UInt64]

    public init(id: String, searchScore: Double, originalRank: Int, attributes: ItemAttributes? = nil) {
        self.id = id
        self.searchScore = searchScore
        self.originalRank = originalRank
        self.attributes = attributes.map(ItemKeys.init)
        declared = attributes?.declared ?? []
    }

    /// A candidate whose attributes are already keys (``AttributeFields/keys(from:)``).
    public init(id: String, searchScore: Double, originalRank: Int, keys: ItemKeys, declared: [UInt64] = []) {
        self.id = id
        self.searchScore = searchScore
        self.originalRank = originalRank
        attributes = keys
        self.declared = declared
    }
}
