import RerankCore

/// Feature rows and graded labels for logged searches, one query group per impression.
public struct TrainingSet: Sendable {
    public var featureNames: [String]
    /// Row-major, `featureNames.count` values per row.
    public var rows: [Float]
    public var labels: [Float]
    /// Row index where each query group starts, plus the total row count at the end.
    public var groupBoundaries: [Int]
    /// Per group: the impression it came from.
    public var groups: [LoggedImpression]

    public var groupCount: Int { groupBoundaries.count - 1 }

    /// The groups at `indices`, as their own set (for time splits).
    public func subset(_ indices: some Sequence<Int>) -> TrainingSet {
        let width = featureNames.count
        var subset = TrainingSet(featureNames: featureNames, rows: [], labels: [], groupBoundaries: [0], groups: [])
        for group in indices {
            let range = groupBoundaries[group]..<groupBoundaries[group + 1]
            subset.rows += rows[(range.lowerBound * width)..<(range.upperBound * width)]
            subset.labels += labels[range]
            subset.groupBoundaries.append(subset.labels.count)
            subset.groups.append(groups[group])
        }
        return subset
    }
}

/// What a replay saw besides the training rows.
public struct ReplaySummary: Sendable, Equatable {
    public var impressions = 0
    public var events = 0
    /// Impressions with at least one click, add-to-cart or purchase: the query groups kept.
    public var groupsWithInteractions = 0
    /// Events joined to their impression by `query_id`.
    public var joinedByQueryID = 0
    /// Events without a usable `query_id` attributed to the latest impression of the same client showing the item.
    public var attributed = 0
    /// Events that matched no impression (they still update the statistics).
    public var unjoinable = 0
}

/// Replays logs in time order into training rows whose features see only the past.
///
/// Each impression's features are computed from the statistics *before* it; then the impression, and later its
/// events, are applied, through the same ``FeatureReplay`` serving uses. Labels are the best grade among the
/// events joined to the impression.
public struct TrainingSetBuilder: Sendable {
    public var gains = LabelGains()
    /// How long after an impression an event without a `query_id` can still be credited to it (seconds).
    public var attributionWindow = InteractionJoin.defaultWindow
    public var limits = FeatureReplay.Limits()
    /// The storefront's own features, computed after the built-in ones.
    public var declared = DeclaredFeatures.none

    public init() {}

    /// Builds the rows, and the statistics as they stand after the last event (what serving starts from).
    public func build(
        impressions: [LoggedImpression],
        events: [LoggedEvent],
        attributes: [String: ItemAttributes],
        profiles: [String: [UInt64]] = [:]
    ) -> (set: TrainingSet, state: FeatureStore, summary: ReplaySummary) {
        let impressions = impressions.sorted { $0.time < $1.time }
        let events = events.sorted { $0.time < $1.time }
        var summary = ReplaySummary(impressions: impressions.count, events: events.count)
        let labels = label(impressions: impressions, events: events, summary: &summary)

        var replay = FeatureReplay(limits: limits, declared: declared)
        replay.learn(attributes: attributes)
        replay.learn(profiles: profiles)
        var set = TrainingSet(featureNames: replay.store.featureNames, rows: [], labels: [], groupBoundaries: [0], groups: [])
        var nextEvent = 0
        for (index, impression) in impressions.enumerated() {
            while nextEvent < events.count, events[nextEvent].time < impression.time {
                replay.apply(events[nextEvent])
                nextEvent += 1
            }
            if labels[index].contains(where: { $0 > 0 }) {
                set.rows += replay.features(for: impression.candidates, in: impression.context)
                set.labels += labels[index].map(Float.init)
                set.groupBoundaries.append(set.labels.count)
                set.groups.append(impression)
                summary.groupsWithInteractions += 1
            }
            replay.apply(impression)
        }
        for event in events[nextEvent...] { replay.apply(event) }
        return (set, replay.store, summary)
    }

    /// Per impression, per shown item: the best grade of the events credited to it (``InteractionJoin``).
    private func label(impressions: [LoggedImpression], events: [LoggedEvent], summary: inout ReplaySummary) -> [[Double]] {
        var labels = impressions.map { Array(repeating: 0.0, count: $0.items.count) }
        let join = InteractionJoin(impressions, window: attributionWindow)
        for event in events {
            let target: Int
            switch join.target(of: event) {
            case .joined(let search):
                target = search
                summary.joinedByQueryID += 1
            case .attributed(let search):
                target = search
                summary.attributed += 1
            case .notShown, .unmatched:
                summary.unjoinable += 1
                continue
            }
            guard let position = impressions[target].items.firstIndex(of: event.itemID) else { continue }
            labels[target][position] = max(labels[target][position], gains.gain(event.kind))
        }
        return labels
    }
}
