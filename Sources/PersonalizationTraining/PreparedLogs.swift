import Features
import LTRModel
import LTRTraining
import Personalization

/// Logs replayed into point-in-time rows and split by time, ready for a learner (``LogTrainer/prepare``).
public struct PreparedLogs: Sendable {
    /// The earliest searches, learned from: their labels and impressions. Their `rows` are empty: the learner's
    /// columns of them are ``trainingRows``.
    public var training: TrainingSet
    /// The training searches' rows in the model's columns (``columns``).
    public var trainingRows: TrainingRows
    /// The searches after them, for early stopping and the served blend's choice.
    public var validation: TrainingSet
    /// How many of the latest searches (``LogTrainingOptions/testFraction``) were left out for `rerank evaluate`.
    public var testGroups: Int
    /// Columns of the full rows a model reads (all but the excluded families), in order.
    public var columns: [Int]
    /// The position bias estimated from the training searches; nil when not debiased.
    public var positionBias: PositionBias?
    /// The statistics after the whole replay: what serving starts from.
    public var state: FeatureStore
    /// What the replay joined.
    public var summary: ReplaySummary

    /// The names of ``columns``.
    public var columnNames: [String] { trainingRows.featureNames }

    /// The model file's extras for these logs, without a blend choice.
    public func extras(options: LogTrainingOptions) -> PersonalizationExtras {
        PersonalizationExtras(
            columns: columns, excludedFamilies: options.excludedFamilies.map(\.rawValue).sorted(),
            attributeFields: options.attributeFields, gains: options.builder.gains, state: state,
            trainedUntil: (validation.groups.last ?? training.groups.last)?.time, positionBias: positionBias
        )
    }
}

/// How many of the searches with interactions, in time order, go to training, validation and test.
struct TimeSplit {
    enum Part { case training, validation, test }

    let training: Int
    let validation: Int
    let test: Int

    /// - Throws: ``TrainingError`` when fewer than ``LogTrainer/minimumGroups`` are left to learn from.
    init(groups: Int, options: LogTrainingOptions, unjoinable: Int) throws {
        let minimum = LogTrainer.minimumGroups
        guard groups >= minimum else {
            throw TrainingError.tooFewSearches(groups, unjoinable: unjoinable, minimum: minimum)
        }
        test = options.testFraction > 0 ? max(1, Int((Double(groups) * options.testFraction).rounded())) : 0
        let usable = groups - test
        guard usable >= minimum else {
            throw TrainingError.tooFewAfterHoldOut(usable, heldOut: test, minimum: minimum)
        }
        validation = max(1, Int((Double(usable) * options.validationFraction).rounded()))
        training = usable - validation
    }

    /// The part the search at `index` (among those with interactions, in time order) belongs to.
    func part(of index: Int) -> Part {
        index < training ? .training : index < training + validation ? .validation : .test
    }
}

/// Where ``LogTrainer/prepare(reading:again:items:profiles:options:export:)`` puts each search the replay makes rows
/// for: by its part of the time split, and to the export.
struct SplitRows {
    let split: TimeSplit
    /// The model's columns of the full rows, and the full rows' width.
    let columns: [Int]
    let width: Int
    /// Every how many training searches one goes to ``biasSample``.
    let sampleStride: Int
    let export: LETORExport?
    /// The training searches without their rows, which go to ``trainingRows`` in the model's columns.
    private(set) var training: TrainingSet
    private(set) var trainingRows: TrainingRows
    /// The training searches the position-bias estimate reads the rows of.
    private(set) var biasSample: TrainingSet
    private(set) var validation: TrainingSet

    init(split: TimeSplit, labels: ReplayLabels, options: LogTrainingOptions, export: LETORExport?) {
        let declared = options.builder.declared
        let names = FeatureSchema.names + declared.columns
        self.split = split
        columns = FeatureSchema.columns(excluding: options.excludedFamilies, declared: declared)
        width = names.count
        let trainingRowCount = labels.grades.lazy.compactMap { $0?.count }.prefix(split.training).reduce(0, +)
        sampleStride = options.positionBiasEstimator.sampleStride(rows: trainingRowCount)
        self.export = export
        training = TrainingSet(featureNames: names)
        trainingRows = TrainingRows(featureNames: columns.map { names[$0] })
        biasSample = TrainingSet(featureNames: names)
        validation = TrainingSet(featureNames: names)
    }

    mutating func add(_ search: ReplayedSearch) throws {
        let part = split.part(of: search.index)
        try export?.append(search, to: part, columns: columns, width: width)
        switch part {
        case .training:
            training.append(rows: [], labels: search.labels, impression: search.impression)
            trainingRows.append(FeatureSchema.select(columns, from: search.rows, width: width), labels: search.labels)
            if search.index % sampleStride == 0 {
                biasSample.append(rows: search.rows, labels: search.labels, impression: search.impression)
            }
        case .validation:
            validation.append(rows: search.rows, labels: search.labels, impression: search.impression)
        case .test:
            break
        }
    }
}

/// Training searches' rows in the learner's columns, as the replay hands them over.
public struct TrainingRows: Sendable {
    public let featureNames: [String]
    /// Row-major, `featureNames.count` values per row.
    public private(set) var features: [Float] = []
    public private(set) var labels: [Float] = []
    /// Row index where each search starts, plus the row count at the end.
    public private(set) var groupBoundaries = [0]

    public init(featureNames: [String]) {
        self.featureNames = featureNames
    }

    /// Adds one search's rows (already in these columns) and labels.
    public mutating func append(_ rows: [Float], labels: [Float]) {
        features += rows
        self.labels += labels
        groupBoundaries.append(self.labels.count)
    }

    /// The learner's data set of these rows.
    func dataset(weights: [Float]?) throws -> Dataset {
        try Dataset(
            features: features, featureCount: featureNames.count, labels: labels, queryBoundaries: groupBoundaries,
            featureNames: featureNames, weights: weights)
    }
}
