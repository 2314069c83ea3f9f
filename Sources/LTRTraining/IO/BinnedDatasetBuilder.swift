import LTRModel

/// Bins training or validation data streamed in a block of rows at a time, never holding the values as floats.
///
/// Appended rows go to a temporary file (``SpillFile``, in sparse form: zeros are not written) while a
/// ``RowReservoir`` picks a uniform sample of them. ``finish(layout:featureNames:)`` finds the bins from the
/// sampled rows, then reads the file back a block at a time and writes the bins (one byte per value), blocks
/// binned in parallel; validation data is finished with the training data's mappers instead. Memory is the
/// bins plus labels, groups and weights; the raw values cost disk, or page cache.
///
/// The sample depends only on the seed and the row count (``RowReservoir``), so it is the one
/// ``BinnedDataset/findMappers(for:maxBin:minDataInBin:sampleCount:seed:threads:)`` draws from a data set in
/// memory: the bins are those of ``TrainingData/init(_:mappers:layout:threads:)`` with those mappers.
///
/// ```swift
/// let builder = try BinnedDatasetBuilder(parameters: parameters)
/// for query in queries {
///     try builder.append(features: query.rows, featureCount: 50, labels: query.labels, groupSizes: [query.count])
/// }
/// let train = try builder.finish(layout: .columnMajor)
/// ```
public final class BinnedDatasetBuilder {
    let parameters: TrainingParameters
    let threads: Int
    /// The rows appended, in order.
    let spill: SpillFile
    /// The rows the bins are found from.
    private(set) var reservoir: RowReservoir
    private var labels: [Float] = []
    private var weights: [Float] = []
    private var weighted: Bool?
    private var queryBoundaries = [0]
    private var denseWidth: Int?
    /// The largest feature number appended, plus one.
    private(set) var columnCount = 0

    /// Number of rows appended so far.
    public var rowCount: Int { labels.count }

    /// Starts an empty data set binned as `parameters` say (`maxBin`, `minDataInBin`, `binSampleCount`, `seed`,
    /// `numThreads`).
    ///
    /// - Throws: `LTRError` when the temporary file cannot be created.
    public init(parameters: TrainingParameters) throws {
        self.parameters = parameters
        threads = Parallel.threadCount(parameters.numThreads)
        spill = try SpillFile()
        reservoir = RowReservoir(capacity: max(1, parameters.binSampleCount), seed: parameters.seed)
    }

    /// Appends whole query groups given as a dense row-major matrix (NaN means missing and is read as 0).
    ///
    /// - Parameters:
    ///   - features: `labels.count * featureCount` values; every append has the same `featureCount`.
    ///   - labels: one relevance label per row.
    ///   - groupSizes: the rows of each query, adding up to `labels.count`.
    ///   - weights: one weight per row, given on every append or on none.
    /// - Throws: `LTRError` when the sizes disagree.
    public func append(
        features: [Float], featureCount: Int, labels: [Float], groupSizes: [Int], weights: [Float]? = nil
    ) throws {
        guard featureCount > 0, features.count == labels.count * featureCount else {
            throw LTRError.groupMismatch(
                "\(features.count) feature values were given for \(labels.count) rows × \(featureCount) features; "
                    + "give featureCount values per row.")
        }
        guard denseWidth.map({ $0 == featureCount }) ?? true else {
            throw LTRError.featureOutOfSchema(
                "rows of \(featureCount) features were appended after rows of \(denseWidth!); give every row the same features.")
        }
        guard groupSizes.allSatisfy({ $0 > 0 }), groupSizes.reduce(0, +) == labels.count else {
            throw LTRError.groupMismatch(
                "group sizes \(groupSizes) do not split \(labels.count) rows; give positive sizes adding up to the row count.")
        }
        var rows = SparseRows()
        for row in 0..<labels.count {
            for feature in 0..<featureCount where FeatureBinMapper.isNonZero(features[row * featureCount + feature]) {
                rows.columns.append(Int32(feature))
                rows.values.append(features[row * featureCount + feature])
            }
            rows.rowEnds.append(rows.columns.count)
        }
        try append(rows, labels: labels, weights: weights)
        denseWidth = featureCount
        columnCount = featureCount
        for size in groupSizes { queryBoundaries.append(queryBoundaries[queryBoundaries.count - 1] + size) }
    }

    /// Appends rows in sparse form whose query groups are given to ``finish(queryBoundaries:featureCount:mappers:layout:featureNames:)``.
    func append(_ rows: SparseRows, labels: [Float], weights: [Float]? = nil) throws {
        precondition(rows.rowCount == labels.count, "one label per row")
        guard weighted.map({ $0 == (weights != nil) }) ?? true else {
            throw LTRError.groupMismatch("row weights were given for some rows only; give weights on every append or on none.")
        }
        if let weights {
            guard weights.count == labels.count else {
                throw LTRError.groupMismatch("\(weights.count) row weights were given for \(labels.count) rows; give one weight per row.")
            }
            self.weights += weights
        }
        weighted = weights != nil
        try spill.append(rows)
        reservoir.add(rows: rows.rowCount)
        self.labels += labels
        columnCount = max(columnCount, Int(rows.columns.max() ?? -1) + 1)
    }

    /// Bins the training data: finds each feature's bins from the sampled rows, then bins every row.
    ///
    /// - Parameters:
    ///   - layout: `.columnMajor` for training data.
    ///   - featureNames: column names; defaults to `f1`, `f2`, ...
    /// - Throws: `LTRError` when there are no rows or the parts disagree.
    public func finish(layout: BinnedDataset.Layout = .columnMajor, featureNames: [String]? = nil) throws -> TrainingData {
        try finish(queryBoundaries: queryBoundaries, featureCount: nil, mappers: nil, layout: layout, featureNames: featureNames)
    }

    /// Bins validation data with the training data's mappers.
    ///
    /// - Parameters:
    ///   - mappers: the training data's mappers (`train.bins.mappers`), one per feature.
    ///   - layout: `.rowMajor` for validation data.
    ///   - featureNames: column names; defaults to `f1`, `f2`, ...
    /// - Throws: `LTRError` when there are no rows, rows have more features than mappers, or the parts disagree.
    public func finish(
        mappers: [FeatureBinMapper], layout: BinnedDataset.Layout = .rowMajor, featureNames: [String]? = nil
    ) throws -> TrainingData {
        try finish(
            queryBoundaries: queryBoundaries, featureCount: mappers.count, mappers: mappers, layout: layout,
            featureNames: featureNames)
    }

    /// Bins every row appended.
    ///
    /// - Parameters:
    ///   - queryBoundaries: start row of each query followed by the row count.
    ///   - featureCount: the number of features, at least ``columnCount``; nil for ``columnCount``.
    ///   - mappers: the bins to use (validation data), or nil to find them from the sample.
    func finish(
        queryBoundaries: [Int],
        featureCount: Int?,
        mappers: [FeatureBinMapper]?,
        layout: BinnedDataset.Layout,
        featureNames: [String]?
    ) throws -> TrainingData {
        let features = featureCount ?? columnCount
        guard features >= columnCount else {
            throw LTRError.featureOutOfSchema(
                "the rows have \(columnCount) features but the schema has \(features); use the training data's features.")
        }
        let rowWeights = weighted == true ? weights : nil
        let names = try Dataset.checkParts(
            featureCount: features, valueCount: nil, labels: labels, queryBoundaries: queryBoundaries,
            featureNames: featureNames, weights: rowWeights)
        let mappers = try mappers ?? findMappers(featureCount: features)
        let bins = try bin(with: mappers, layout: layout)
        return try TrainingData(
            bins: BinnedDataset(rowCount: rowCount, mappers: mappers, layout: layout, bins: bins), labels: labels,
            queryBoundaries: queryBoundaries, featureNames: names, weights: rowWeights)
    }
}
