import EventLog
import Features
import Personalization

/// What `rerank evaluate --logs` scores: the held-out searches' point-in-time rows and impressions, with the
/// position bias estimated from every replayed search and what the replay joined.
///
/// The logs are replayed twice, as training replays them (``LogTrainer/prepare(reading:again:items:profiles:options:export:learns:)``):
/// once for the labels, once for the rows. Only the held-out searches keep their rows and impressions. The others
/// are tallied for the position-bias estimate as they pass (their explored swaps and shown positions), and its
/// regression reads the rows of an evenly strided sample of them (``PositionBiasEstimator/sampleStride(rows:)``).
public struct HeldOutSearches: Sendable {
    /// The held-out searches' rows and labels, in time order.
    public var set: TrainingSet
    /// Each held-out search's impression, in the order of ``set``'s groups.
    public var impressions: [LoggedImpression]
    /// The position bias estimated from every replayed search with interactions; nil when the logs have no clicks
    /// past the first position.
    public var positionBias: PositionBias?
    public var summary: ReplaySummary

    /// Replays `log` from memory.
    ///
    /// - Throws: ``TrainingError`` when no search has interactions.
    public init(
        log: InteractionLog, builder: TrainingSetBuilder, items: [String: ItemAttributes], profiles: [String: [UInt64]] = [:],
        holdOut: HoldOut = .time, fraction: Double = 0.2
    ) throws {
        let replay = log.replayLog()
        var first = replay.records()
        var second = replay.records()
        try self.init(
            reading: &first, again: &second, builder: builder, items: items, profiles: profiles, holdOut: holdOut, fraction: fraction)
    }

    /// Replays the same records twice, e.g. from ``LogFileRecords``: `first` for the labels, `second` for the rows.
    ///
    /// - Parameters:
    ///   - holdOut: which searches are held out: the latest `fraction` of those with interactions, or each
    ///     user's (or, without one, session's) last.
    /// - Throws: ``TrainingError`` when no search has interactions; what the sources throw.
    public init<Source: ReplaySource>(
        reading first: inout Source, again second: inout Source, builder: TrainingSetBuilder,
        items: [String: ItemAttributes], profiles: [String: [UInt64]] = [:], holdOut: HoldOut = .time, fraction: Double = 0.2
    ) throws {
        let labels = try builder.label(&first)
        let groups = labels.groupCount
        guard groups > 0 else { throw TrainingError.nothingToEvaluate() }
        let estimator = PositionBiasEstimator()
        let latest = groups - max(1, Int((Double(groups) * fraction).rounded()))
        let names = FeatureSchema.names + builder.declared.columns
        var evidence = PositionBiasEvidence(estimator, rows: labels.rowCounts.reduce(0, +), featureNames: names)
        var heldOut = TrainingSet(featureNames: names)
        var heldOutImpressions: [LoggedImpression] = []
        func keep(_ search: ReplayedSearch) {
            heldOut.append(rows: search.rows, labels: search.labels, group: SearchGroup(search.impression))
            heldOutImpressions.append(search.impression)
        }
        if holdOut == .time {
            // Sized once: the held-out rows are most of what evaluation keeps.
            let rows = labels.rowCounts.dropFirst(latest).reduce(0, +)
            heldOut.reserveCapacity(groups: groups - latest, rows: rows)
            heldOut.rows.reserveCapacity(rows * names.count)
        }
        var lastByUser: [String: ReplayedSearch] = [:]
        var replay = builder.rowReplay(labels: labels, attributes: items, profiles: profiles)
        while let record = try second.next() {
            replay.apply(record) { search in
                evidence.add(search, group: SearchGroup(search.impression))
                switch holdOut {
                case .time:
                    if search.index >= latest { keep(search) }
                case .lastPerUser:
                    if let user = search.impression.userID ?? search.impression.sessionID { lastByUser[user] = search }
                }
            }
        }
        for search in lastByUser.values.sorted(by: { $0.index < $1.index }) { keep(search) }
        set = heldOut
        impressions = heldOutImpressions
        positionBias = estimator.estimate(evidence)
        summary = labels.summary
    }
}
