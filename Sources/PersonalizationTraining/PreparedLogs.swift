import Features
import LTRModel
import Personalization

/// Logs replayed into point-in-time rows and split by time, ready for a learner (``LogTrainer/prepare``).
public struct PreparedLogs: Sendable {
    /// The earliest searches, learned from.
    public var training: TrainingSet
    /// The searches after them, for early stopping and the served blend's choice.
    public var validation: TrainingSet
    /// The latest searches (``LogTrainingOptions/testFraction``), left out for `rerank evaluate`.
    public var test: TrainingSet
    /// Columns of the full rows a model reads (all but the excluded families), in order.
    public var columns: [Int]
    /// The position bias estimated from the training searches; nil when not debiased.
    public var positionBias: PositionBias?
    /// The statistics after the whole replay: what serving starts from.
    public var state: FeatureStore
    /// What the replay joined.
    public var summary: ReplaySummary

    /// The names of ``columns``.
    public var columnNames: [String] { columns.map { training.featureNames[$0] } }

    /// The model file's extras for these logs, without a blend choice.
    public func extras(options: LogTrainingOptions) -> PersonalizationExtras {
        PersonalizationExtras(
            columns: columns, excludedFamilies: options.excludedFamilies.map(\.rawValue).sorted(),
            attributeFields: options.attributeFields, gains: options.builder.gains, state: state,
            trainedUntil: (validation.groups.last ?? training.groups.last)?.time, positionBias: positionBias
        )
    }
}
