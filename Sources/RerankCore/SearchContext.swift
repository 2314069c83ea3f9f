import Foundation

/// Who is searching and in what context: what personalization reads for one search.
public struct SearchContext: Sendable, Equatable {
    public var userID: String?
    public var sessionID: String?
    public var device: Device
    /// The IANA zone the local time was computed in.
    public var timeZone: String
    public var localTime: LocalTime
    /// Blend weight of the ranker against the search score for this request, 0…1; nil = configured default.
    public var weight: Double?
    /// Whether hits carry an `_rerank` object explaining their position.
    public var explain: Bool
    /// Ids the client wants left out of the results.
    public var excludedIDs: Set<String>
    /// Whether the response body carries the impression's query id in `ext.rerank.query_id`.
    public var returnQueryID = false
    /// The text searched for (from the query DSL), for per-query statistics.
    public var query = ""
    /// When the search arrived, seconds since 1970.
    public var time = 0.0
    /// The request's other context keys (`ext.rerank.context.<key>`, e.g. channel, locale), values as text:
    /// logged with the search, read by declared context features.
    public var attributes: [String: String] = [:]

    public init(
        userID: String? = nil,
        sessionID: String? = nil,
        device: Device = .unknown,
        timeZone: String = "UTC",
        localTime: LocalTime = LocalTime(hour: 12, weekday: 3),
        weight: Double? = nil,
        explain: Bool = false,
        excludedIDs: Set<String> = []
    ) {
        self.userID = userID
        self.sessionID = sessionID
        self.device = device
        self.timeZone = timeZone
        self.localTime = localTime
        self.weight = weight
        self.explain = explain
        self.excludedIDs = excludedIDs
    }

    /// The identity logs and experiments key on: the user when known, else the session.
    public var clientID: String? { userID ?? sessionID }
}
