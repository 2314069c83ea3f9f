import EventLog
import Features
import RerankCore
import Synchronization

/// The feature statistics while serving: read by every search, updated by every impression and event.
///
/// Reads and updates take one lock; a search computes its feature rows inside it (tens of microseconds), so
/// no copy of the statistics is ever made.
public final class LiveFeatureState: Sendable {
    private let state: Mutex<FeatureState>
    private let recent: Mutex<RecentImpressions>

    public init(_ state: FeatureState, recentCapacity: Int = 100_000) {
        self.state = Mutex(state)
        self.recent = Mutex(RecentImpressions(capacity: recentCapacity))
    }

    /// Feature rows (all ``FeatureSchema`` columns) for `candidates` as the statistics stand now; the
    /// candidates' attributes are remembered, so later events on them can update the searcher's tastes.
    public func features(for candidates: [Candidate], in context: FeatureContext) -> [Float] {
        state.withLock { state in
            for candidate in candidates {
                if let attributes = candidate.attributes, state.attributes[candidate.id] == nil {
                    state.learn(attributes: [candidate.id: attributes])
                }
            }
            return state.features(for: candidates, in: context)
        }
    }

    /// Applies a served search; remembered so its events can be put in context.
    public func observe(_ impression: LoggedImpression, attributes: [String: ItemAttributes]) {
        recent.withLock { $0.insert(impression) }
        let observation = ImpressionObservation(context: impression.featureContext, items: impression.items, attributes: attributes)
        state.withLock { $0.apply(observation) }
    }

    /// Applies clicks, add-to-carts and purchases, in the context of the search they came from when known.
    public func observe(_ events: [UBIEvent]) {
        let observations: [InteractionObservation] = events.compactMap { event in
            guard let kind = InteractionKind(actionName: event.actionName), let item = event.objectID else { return nil }
            let impression = recent.withLock { recent in event.queryID.flatMap { recent.impressions[$0] } }
            return InteractionObservation(
                time: event.timestamp.timeIntervalSince1970, kind: kind, itemID: item,
                userID: event.clientID ?? impression?.userID, sessionID: event.sessionID ?? impression?.sessionID,
                device: impression?.device ?? .unknown, localTime: impression?.localTime ?? LocalTime(hour: 12, weekday: 3),
                query: impression.map { FeatureState.normalize(query: $0.query) },
                position: event.position ?? impression?.items.firstIndex(of: item)
            )
        }
        state.withLock { state in
            for observation in observations { state.apply(observation) }
        }
    }

    /// Replaces the statistics, e.g. with a newer model's snapshot.
    public func replace(with newState: FeatureState) {
        state.withLock { $0 = newState }
    }

    /// Entries per table, read in place (no copy of the statistics).
    public var sizes: [String: Int] { state.withLock { $0.sizes } }

    /// A copy of the statistics (for snapshots and tests).
    public var snapshot: FeatureState { state.withLock { $0 } }
}

/// The latest served searches by query id, oldest forgotten first.
struct RecentImpressions {
    let capacity: Int
    var impressions: [String: LoggedImpression] = [:]
    var order: [String] = []
    var head = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func insert(_ impression: LoggedImpression) {
        impressions[impression.queryID] = impression
        order.append(impression.queryID)
        while impressions.count > capacity, head < order.count {
            impressions[order[head]] = nil
            head += 1
        }
        if head > capacity {
            order.removeFirst(head)
            head = 0
        }
    }
}
