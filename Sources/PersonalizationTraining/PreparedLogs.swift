import Features
import LTRModel
import LTRTraining
import Personalization

/// Logs replayed into point-in-time rows and split by time, ready for a learner (``LogTrainer/prepare``).
public struct PreparedLogs: Sendable {
    /// How many of the earliest searches were learned from (their rows are in ``trainingData``).
    public var trainingSearches: Int
    /// The training rows' interactions and positions, for their inverse-propensity weights.
    var trainingClicks: ClickPositions
    /// The training searches' rows in the model's columns (``columns``), binned, without weights; nil when the logs
    /// were prepared for an export alone (`learns: false`).
    public var trainingData: TrainingData?
    /// The searches after them, for early stopping and the served blend's choice: their labels and
    /// ``SearchGroup``s. Their `rows` are empty: the learner's columns of them are binned, with the training data's
    /// bins, in ``validationData``. Empty when the logs were prepared for an export alone.
    public var validation: TrainingSet
    /// Nil when the logs were prepared for an export alone.
    public var validationData: TrainingData?
    /// How many of the latest searches (``LogTrainingOptions/testFraction``) were left out for `rerank evaluate`.
    public var testGroups: Int
    /// Columns of the full rows a model reads (all but the excluded families), in order.
    public var columns: [Int]
    /// The names of ``columns``.
    public var columnNames: [String]
    /// The position bias estimated from the training searches; nil when not debiased.
    public var positionBias: PositionBias?
    /// When the last training or validation search was.
    public var trainedUntil: Double?
    /// The statistics after the whole replay: what serving starts from.
    public var state: FeatureStore
    /// What the replay joined.
    public var summary: ReplaySummary

    /// The model file's extras for these logs, without a blend choice.
    public func extras(options: LogTrainingOptions) -> PersonalizationExtras {
        PersonalizationExtras(
            columns: columns, excludedFamilies: options.excludedFamilies.map(\.rawValue).sorted(),
            attributeFields: options.attributeFields, gains: options.builder.gains, state: state,
            trainedUntil: trainedUntil, positionBias: positionBias
        )
    }
}

/// How many of the searches with interactions, in time order, go to training, validation and test.
struct TimeSplit {
    /// The parts in time order; the raw value is the part's place in ``LETORExport/splits``.
    enum Part: Int { case training, validation, test }

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

/// Where ``LogTrainer/prepare(reading:again:items:profiles:options:export:learns:)`` puts each search the replay makes rows
/// for: by its part of the time split, and to the export.
struct SplitRows {
    let split: TimeSplit
    /// The model's columns of the full rows, and the full rows' width.
    let columns: [Int]
    let width: Int
    let export: LETORExport?
    /// The names of ``columns``.
    let columnNames: [String]
    let learns: Bool
    /// The training rows' interactions and positions, for their weights.
    private(set) var trainingClicks = ClickPositions()
    /// What the position-bias estimate reads of the training searches.
    private(set) var biasEvidence: PositionBiasEvidence
    /// The training searches' rows in the model's columns; nil when the rows are only exported (`learns` false).
    private var trainingRows: TrainingRows?
    /// The validation searches without their rows, which go to `validationRows` in the model's columns; none are
    /// kept when the rows are only exported.
    private(set) var validation: TrainingSet
    private var validationRows: TrainingRows?
    /// When the last training or validation search was.
    private(set) var latest: Double?

    /// - Parameter learns: whether the training and validation rows are kept for a learner, binned; without, they
    ///   only go to `export`.
    /// - Throws: `LTRError` when the training rows' temporary file cannot be created.
    init(split: TimeSplit, labels: ReplayLabels, options: LogTrainingOptions, export: LETORExport?, learns: Bool) throws {
        let declared = options.builder.declared
        let names = FeatureSchema.names + declared.columns
        self.split = split
        self.learns = learns
        columns = FeatureSchema.columns(excluding: options.excludedFamilies, declared: declared)
        width = names.count
        let rowCounts = labels.rowCounts
        biasEvidence = PositionBiasEvidence(
            options.positionBiasEstimator, rows: rowCounts.prefix(split.training).reduce(0, +), featureNames: names)
        self.export = export
        columnNames = columns.map { names[$0] }
        trainingRows = learns ? try TrainingRows(featureNames: columnNames, parameters: options.parameters) : nil
        validationRows = learns ? try TrainingRows(featureNames: columnNames, parameters: options.parameters) : nil
        validation = TrainingSet(featureNames: names)
        if learns {
            // Sized once: grown by doubling, these arrays would hold up to twice what they need.
            validation.reserveCapacity(
                groups: split.validation, rows: rowCounts.dropFirst(split.training).prefix(split.validation).reduce(0, +))
        }
    }

    /// The training and the validation rows binned, the validation rows with the training rows' bins; nil when
    /// they were not kept.
    mutating func finish() throws -> (training: TrainingData, validation: TrainingData)? {
        guard let training = try trainingRows?.finish(), let validation = try validationRows?.finish(mappers: training.bins.mappers) else {
            return nil
        }
        return (training, validation)
    }

    mutating func add(_ search: ReplayedSearch) throws {
        let part = split.part(of: search.index)
        try export?.append(search, to: part, columns: columns, width: width)
        let group = SearchGroup(search.impression)
        switch part {
        case .training:
            trainingClicks.append(group, labels: search.labels[...])
            biasEvidence.add(search, group: group)
            try trainingRows?.append(FeatureSchema.select(columns, from: search.rows, width: width), labels: search.labels)
        case .validation:
            if learns { validation.append(rows: [], labels: search.labels, group: group) }
            try validationRows?.append(FeatureSchema.select(columns, from: search.rows, width: width), labels: search.labels)
        case .test:
            return
        }
        latest = group.time
    }
}

/// Training searches' rows in the learner's columns, binned as they come: staged, and handed to a
/// ``BinnedDatasetBuilder`` (which keeps them on disk until binning) a block at a time.
struct TrainingRows {
    /// Rows staged before they go to the builder.
    static let blockRows = 65_536

    let featureNames: [String]
    private let builder: BinnedDatasetBuilder
    private var features: [Float] = []
    private var labels: [Float] = []
    private var groupSizes: [Int] = []

    /// - Throws: `LTRError` when the builder's temporary file cannot be created.
    init(featureNames: [String], parameters: TrainingParameters) throws {
        self.featureNames = featureNames
        builder = try BinnedDatasetBuilder(parameters: parameters)
    }

    /// Adds one search's rows (already in these columns) and labels.
    mutating func append(_ rows: [Float], labels: [Float]) throws {
        features += rows
        self.labels += labels
        groupSizes.append(labels.count)
        if self.labels.count >= Self.blockRows { try flush() }
    }

    /// The rows binned (training layout), without weights.
    mutating func finish() throws -> TrainingData {
        try flush()
        return try builder.finish(layout: .columnMajor, featureNames: featureNames)
    }

    /// The rows binned with the training data's `mappers` (validation layout).
    mutating func finish(mappers: [FeatureBinMapper]) throws -> TrainingData {
        try flush()
        return try builder.finish(mappers: mappers, layout: .rowMajor, featureNames: featureNames)
    }

    private mutating func flush() throws {
        guard !labels.isEmpty else { return }
        try builder.append(features: features, featureCount: featureNames.count, labels: labels, groupSizes: groupSizes)
        features = []
        labels = []
        groupSizes = []
    }
}

extension TrainingData {
    /// The same data with these row weights (nil: none).
    func weighted(_ weights: [Float]?) throws -> TrainingData {
        try TrainingData(bins: bins, labels: labels, queryBoundaries: queryBoundaries, featureNames: featureNames, weights: weights)
    }
}
