import EventLog
import Features
import Foundation
import Ranking
import RerankCore
import RerankJSON

extension InteractionLog {
    /// The logged searches as training replays them.
    ///
    /// Shown items come from `query_response_hit_ids`, or, for logs that record them as events (as the UBI
    /// sample does), from `impression` events ordered by position. Context comes from `query_attributes` as the
    /// sidecar writes them (`device`, `local_hour`, `weekday`, `original_ranks`, `search_scores`, `session_id`,
    /// `context` with the request's other context keys);
    /// where absent, the device is unknown and the local time is the timestamp's in UTC. The first shown item's
    /// absolute position is the page's `from`, or the lowest `position.ordinal` of impression events; else 0. An
    /// explored search's `exploration` is read into ``LoggedImpression/exploration`` (an inconsistent one is
    /// left out: the search then counts as unexplored).
    public func loggedImpressions() -> [LoggedImpression] {
        var shownByEvents: [String: [(position: Int, item: String)]] = [:]
        for event in events where event.actionName == "impression" {
            guard let queryID = event.queryID, let item = event.objectID else { continue }
            shownByEvents[queryID, default: []].append((event.position ?? Int.max, item))
        }
        var sessions: [String: String] = [:]
        for event in events {
            if let queryID = event.queryID, let session = event.sessionID { sessions[queryID] = sessions[queryID] ?? session }
        }
        return queries.compactMap {
            LoggedImpression(ubi: $0, shownByEvents: shownByEvents[$0.queryID], eventSession: sessions[$0.queryID])
        }
    }

    /// The logged searches and interactions in time order, as training replays them.
    public func replayLog() -> ReplayLog {
        ReplayLog(impressions: loggedImpressions(), events: loggedEvents())
    }

    /// The clicks, add-to-carts and purchases (other actions, impressions included, are not interactions).
    public func loggedEvents() -> [LoggedEvent] {
        events.compactMap(LoggedEvent.init(ubi:))
    }
}

extension LoggedImpression {
    /// A logged search as training replays it (``InteractionLog/loggedImpressions()``); nil when it shows nothing.
    ///
    /// - Parameters:
    ///   - shownByEvents: the search's `impression` events' positions and items, for logs without
    ///     `query_response_hit_ids`.
    ///   - eventSession: the session id its events carry, for searches logged without one.
    public init?(ubi query: UBIQuery, shownByEvents: [(position: Int, item: String)]?, eventSession: String?) {
        let shownEvents = shownByEvents?.sorted { $0.position < $1.position }
        let items = query.responseHitIDs ?? shownEvents?.map(\.item) ?? []
        guard !items.isEmpty else { return nil }
        let attributes = query.attributes
        let eventsFrom = query.responseHitIDs == nil ? shownEvents?.first.map(\.position).flatMap { $0 == Int.max ? nil : $0 } : nil
        let device = attributes["device"]?.stringValue.flatMap(Device.init(rawValue:)) ?? .unknown
        var localTime = LocalTime(date: query.timestamp, timeZone: TimeZone(identifier: "UTC")!)
        if let hour = attributes["local_hour"]?.intValue { localTime.hour = hour }
        if let weekday = attributes["weekday"]?.intValue { localTime.weekday = weekday }
        let ranks = attributes["original_ranks"]?.arrayValue?.compactMap(\.intValue)
        let scores = attributes["search_scores"]?.arrayValue?.map { $0.doubleValue ?? 0 }
        self.init(
            queryID: query.queryID,
            time: query.timestamp.timeIntervalSince1970,
            userID: attributes["user_id"]?.stringValue ?? query.clientID,
            sessionID: attributes["session_id"]?.stringValue ?? eventSession,
            device: device,
            localTime: localTime,
            query: query.userQuery ?? "",
            items: items,
            originalRanks: ranks?.count == items.count ? ranks : nil,
            searchScores: scores?.count == items.count ? scores : nil,
            firstPosition: attributes["from"]?.intValue ?? eventsFrom ?? 0,
            exploration: attributes["exploration"].flatMap(ExplorationRecord.init(json:)),
            attributes: (attributes["context"]?.objectValue?.members ?? []).reduce(into: [:]) { context, member in
                context[member.key] = FeatureDeclaration.text(of: member.value)
            }
        )
    }
}

extension LoggedEvent {
    /// A UBI event as features read it; nil for actions that are not interactions (impressions, hovers, ...)
    /// and for events that name no item.
    public init?(ubi event: UBIEvent) {
        guard let kind = InteractionKind(actionName: event.actionName), let item = event.objectID else { return nil }
        self.init(
            queryID: event.queryID, time: event.timestamp.timeIntervalSince1970, kind: kind, itemID: item,
            userID: event.clientID, sessionID: event.sessionID, position: event.position
        )
    }
}
