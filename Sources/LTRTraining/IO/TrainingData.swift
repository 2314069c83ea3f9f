import LTRModel

/// What the booster needs of a data set: the binned features, one relevance label per row, the query groups
/// and the optional row weights; the raw feature values are not kept.
///
/// Training data is binned column-major with mappers found on it; validation data row-major with the
/// training data's mappers. ``BinnedDatasetBuilder`` makes both from rows streamed in (never holding the
/// values as floats), ``init(_:mappers:layout:threads:)`` from a ``Dataset`` already in memory.
///
/// ```swift
/// let mappers = BinnedDataset.findMappers(for: train)
/// let binnedTrain = TrainingData(train, mappers: mappers, layout: .columnMajor)
/// let binnedValid = TrainingData(valid, mappers: mappers)
/// let booster = try Booster(train: binnedTrain, valid: binnedValid, parameters: parameters)
/// ```
public struct TrainingData: Sendable {
    /// The features' bins.
    public let bins: BinnedDataset
    /// Relevance label of each row.
    public let labels: [Float]
    /// Start row of each query followed by the row count: `queryCount + 1` increasing values.
    public let queryBoundaries: [Int]
    /// Names of the feature columns.
    public let featureNames: [String]
    /// Per row, how much its pairs count (positive; nil: all 1), as ``Dataset/weights``.
    public let weights: [Float]?

    /// Number of rows (documents).
    public var rowCount: Int { labels.count }
    /// Number of query groups.
    public var queryCount: Int { queryBoundaries.count - 1 }
    /// Number of feature columns.
    public var featureCount: Int { bins.featureCount }

    /// Bins a data set held in memory.
    ///
    /// - Parameters:
    ///   - dataset: the raw data.
    ///   - mappers: one mapper per feature (the training data's, for validation data).
    ///   - layout: `.columnMajor` for training data, `.rowMajor` for validation data.
    ///   - threads: worker threads, 0 for one per processor.
    public init(_ dataset: Dataset, mappers: [FeatureBinMapper], layout: BinnedDataset.Layout = .rowMajor, threads: Int = 0) {
        bins = BinnedDataset(dataset, mappers: mappers, layout: layout, threads: threads)
        labels = dataset.labels
        queryBoundaries = dataset.queryBoundaries
        featureNames = dataset.featureNames
        weights = dataset.weights
    }

    /// Puts together binned features and the rows' labels, groups and weights, checking that they fit.
    ///
    /// - Parameters:
    ///   - featureNames: column names; defaults to `f1`, `f2`, ...
    /// - Throws: `LTRError` when the sizes disagree or a weight is not positive.
    public init(
        bins: BinnedDataset,
        labels: [Float],
        queryBoundaries: [Int],
        featureNames: [String]? = nil,
        weights: [Float]? = nil
    ) throws {
        self.featureNames = try Dataset.checkParts(
            featureCount: bins.featureCount, valueCount: nil, labels: labels, queryBoundaries: queryBoundaries,
            featureNames: featureNames, weights: weights)
        guard bins.rowCount == labels.count else {
            throw LTRError.groupMismatch(
                "the binned data has \(bins.rowCount) rows but \(labels.count) labels were given; give one label per row.")
        }
        self.bins = bins
        self.labels = labels
        self.queryBoundaries = queryBoundaries
        self.weights = weights
    }

    /// The rows of query `query`.
    public func queryRange(_ query: Int) -> Range<Int> {
        queryBoundaries[query]..<queryBoundaries[query + 1]
    }
}
