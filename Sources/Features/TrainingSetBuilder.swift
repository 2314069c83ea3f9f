import RerankCore

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
    /// How long a search is kept for the events that name it by `query_id` (seconds; ``StreamingJoin``).
    public var joinHorizon = StreamingJoin.defaultHorizon
    /// How long an event waits for the search it names, when the search's time is later (seconds).
    public var lateness = StreamingJoin.defaultLateness
    public var limits = FeatureReplay.Limits()
    /// The storefront's own features, computed after the built-in ones.
    public var declared = DeclaredFeatures.none

    public init() {}

    /// Builds the rows, and the statistics as they stand after the last event (what serving starts from).
    ///
    /// - Returns: the set, each of its groups' impression, the statistics and what the replay joined.
    public func build(
        impressions: [LoggedImpression],
        events: [LoggedEvent],
        attributes: [String: ItemAttributes],
        profiles: [String: [UInt64]] = [:]
    ) -> (set: TrainingSet, impressions: [LoggedImpression], state: FeatureStore, summary: ReplaySummary) {
        let log = ReplayLog(impressions: impressions, events: events)
        var records = log.records()
        let labels = label(&records)
        var set = TrainingSet(featureNames: FeatureSchema.names + declared.columns)
        var labelled: [LoggedImpression] = []
        var replay = rowReplay(labels: labels, attributes: attributes, profiles: profiles)
        records = log.records()
        while let record = records.next() {
            replay.apply(record) { search in
                set.append(rows: search.rows, labels: search.labels, group: SearchGroup(search.impression))
                labelled.append(search.impression)
            }
        }
        return (set, labelled, replay.store, labels.summary)
    }

    /// The second pass of a replay: apply the records again, in the same order, and it makes each labelled
    /// search's point-in-time rows.
    ///
    /// - Parameter labels: ``label(_:)`` of the records to be applied.
    public func rowReplay(labels: ReplayLabels, attributes: [String: ItemAttributes], profiles: [String: [UInt64]] = [:]) -> RowReplay {
        var replay = FeatureReplay(limits: limits, declared: declared)
        replay.learn(attributes: attributes)
        replay.learn(profiles: profiles)
        return RowReplay(replay: replay, labels: labels)
    }

    /// Per search of `records`, the grades of its shown items when any event was credited to it
    /// (``StreamingJoin``): the searches ``RowReplay`` emits.
    public func label<Source: ReplaySource>(_ records: inout Source) throws(Source.Failure) -> ReplayLabels {
        var summary = ReplaySummary()
        var itemCounts: [Int32] = []
        var credited: [(search: Int32, credit: ReplayLabels.Credit)] = []
        var join = StreamingJoin(window: attributionWindow, horizon: joinHorizon, lateness: lateness)
        func credit(_ event: LoggedEvent, _ target: InteractionJoin.Target, _ items: [String]) {
            let search: Int
            switch target {
            case .joined(let joined):
                search = joined
                summary.joinedByQueryID += 1
            case .attributed(let attributed):
                search = attributed
                summary.attributed += 1
            case .notShown, .unmatched:
                summary.unjoinable += 1
                return
            }
            guard let position = items.firstIndex(of: event.itemID) else { return }
            credited.append((Int32(search), ReplayLabels.Credit(position: Int32(position), grade: Float(gains.gain(event.kind)))))
        }
        while let record = try records.next() {
            switch record {
            case .impression(let impression):
                summary.impressions += 1
                itemCounts.append(Int32(clamping: impression.items.count))
                join.add(impression, credit: credit)
            case .event(let event):
                summary.events += 1
                join.add(event, credit: credit)
            }
        }
        join.finish(credit: credit)
        return ReplayLabels(itemCounts: itemCounts, credited: credited, summary: summary)
    }
}

/// Replays records into the statistics, making the rows of each labelled search from the statistics before it
/// (``TrainingSetBuilder/rowReplay(labels:attributes:profiles:)``).
public struct RowReplay: Sendable {
    private var replay: FeatureReplay
    private let labels: ReplayLabels
    private var searches = 0
    private var emitted = 0

    init(replay: FeatureReplay, labels: ReplayLabels) {
        self.replay = replay
        self.labels = labels
    }

    /// The statistics after the records applied so far.
    public var store: FeatureStore { replay.store }

    /// Applies the next record; a labelled search's rows go to `emit` first.
    public mutating func apply(_ record: ReplayRecord, emit: (ReplayedSearch) throws -> Void) rethrows {
        switch record {
        case .impression(let impression):
            if let grades = labels.grades(ofSearch: searches) {
                try emit(ReplayedSearch(
                    index: emitted, rows: replay.features(for: impression.candidates, in: impression.context),
                    labels: grades, impression: impression))
                emitted += 1
            }
            searches += 1
            replay.apply(impression)
        case .event(let event):
            replay.apply(event)
        }
    }
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
