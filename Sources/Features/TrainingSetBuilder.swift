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

    /// An empty set with these columns.
    public init(featureNames: [String]) {
        self.init(featureNames: featureNames, rows: [], labels: [], groupBoundaries: [0], groups: [])
    }

    public init(featureNames: [String], rows: [Float], labels: [Float], groupBoundaries: [Int], groups: [LoggedImpression]) {
        self.featureNames = featureNames
        self.rows = rows
        self.labels = labels
        self.groupBoundaries = groupBoundaries
        self.groups = groups
    }

    /// Adds one search's rows and labels as the last group.
    public mutating func append(rows: [Float], labels: [Float], impression: LoggedImpression) {
        self.rows += rows
        self.labels += labels
        groupBoundaries.append(self.labels.count)
        groups.append(impression)
    }

    /// The groups at `indices`, as their own set (for time splits).
    public func subset(_ indices: some Sequence<Int>) -> TrainingSet {
        let width = featureNames.count
        var subset = TrainingSet(featureNames: featureNames)
        for group in indices {
            let range = groupBoundaries[group]..<groupBoundaries[group + 1]
            subset.append(
                rows: Array(rows[(range.lowerBound * width)..<(range.upperBound * width)]), labels: Array(labels[range]),
                impression: groups[group])
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
        let labels = label(impressions: impressions, events: events)
        var set = TrainingSet(featureNames: FeatureSchema.names + declared.columns)
        let state = replay(impressions: impressions, events: events, labels: labels, attributes: attributes, profiles: profiles) {
            set.append(rows: $0.rows, labels: $0.labels, impression: $0.impression)
        }
        return (set, state, labels.summary)
    }

    /// Replays impressions and events (each in time order) and hands each labelled search's point-in-time rows to
    /// `emit`, in time order, as they are made; returns the statistics after the last event.
    ///
    /// - Parameter labels: ``label(impressions:events:)`` of the same impressions and events.
    public func replay(
        impressions: [LoggedImpression],
        events: [LoggedEvent],
        labels: ReplayLabels,
        attributes: [String: ItemAttributes],
        profiles: [String: [UInt64]] = [:],
        emit: (ReplayedSearch) throws -> Void
    ) rethrows -> FeatureStore {
        var replay = FeatureReplay(limits: limits, declared: declared)
        replay.learn(attributes: attributes)
        replay.learn(profiles: profiles)
        var nextEvent = 0
        var emitted = 0
        for (index, impression) in impressions.enumerated() {
            while nextEvent < events.count, events[nextEvent].time < impression.time {
                replay.apply(events[nextEvent])
                nextEvent += 1
            }
            if let grades = labels.grades[index] {
                try emit(ReplayedSearch(
                    index: emitted, rows: replay.features(for: impression.candidates, in: impression.context),
                    labels: grades, impression: impression))
                emitted += 1
            }
            replay.apply(impression)
        }
        for event in events[nextEvent...] { replay.apply(event) }
        return replay.store
    }

    /// Per impression (each in time order), the grades of its shown items when any event was credited to it
    /// (``InteractionJoin``): what ``replay(impressions:events:labels:attributes:profiles:emit:)`` emits.
    public func label(impressions: [LoggedImpression], events: [LoggedEvent]) -> ReplayLabels {
        var summary = ReplaySummary(impressions: impressions.count, events: events.count)
        var grades = impressions.map { Array(repeating: 0.0, count: $0.items.count) }
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
            grades[target][position] = max(grades[target][position], gains.gain(event.kind))
        }
        let labelled = grades.map { $0.contains { $0 > 0 } ? $0.map(Float.init) : nil }
        summary.groupsWithInteractions = labelled.count { $0 != nil }
        return ReplayLabels(grades: labelled, summary: summary)
    }
}

/// What ``TrainingSetBuilder/label(impressions:events:)`` found: which searches become query groups, and with
/// which labels.
public struct ReplayLabels: Sendable {
    /// Per impression: the grade of each shown item, or nil when no event was credited to the search.
    public var grades: [[Float]?]
    public var summary: ReplaySummary

    /// The searches with interactions: the query groups a replay emits.
    public var groupCount: Int { summary.groupsWithInteractions }
    /// The rows of those groups.
    public var rowCount: Int { grades.reduce(0) { $0 + ($1?.count ?? 0) } }
}

/// One labelled search as a replay emits it.
public struct ReplayedSearch: Sendable {
    /// Its place among the labelled searches, from 0, in time order.
    public var index: Int
    /// Row-major point-in-time features, one row per shown item.
    public var rows: [Float]
    public var labels: [Float]
    public var impression: LoggedImpression
}
