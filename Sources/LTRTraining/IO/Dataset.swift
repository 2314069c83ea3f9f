import LTRModel

/// A learning-to-rank data set: a dense feature matrix, one relevance label per row, and query groups.
///
/// Rows of one query are contiguous; `queryBoundaries[q]..<queryBoundaries[q + 1]` are the rows of query `q`.
/// Features are stored row-major as `Float`, which is the layout the scorer and the file readers produce.
///
/// ```swift
/// let data = try Dataset(
///     features: [0.1, 1, 0.7, 0, 0.3, 2],  // 3 rows × 2 features
///     featureCount: 2,
///     labels: [1, 0, 2],
///     groupSizes: [3]
/// )
/// data.queryRange(0)  // 0..<3
/// ```
public struct Dataset: Sendable {
    /// Number of feature columns.
    public let featureCount: Int
    /// Row-major feature matrix with `rowCount * featureCount` values. NaN means missing and is read as 0.
    public let features: [Float]
    /// Relevance label of each row (for ranking: non-negative integers, higher is more relevant).
    public let labels: [Float]
    /// Start row of each query followed by the row count: `queryCount + 1` increasing values.
    public let queryBoundaries: [Int]
    /// Names of the feature columns (`f1`, `f2`, ... when the source has none).
    public let featureNames: [String]
    /// Per row, how much its pairs count (positive; nil: all 1). A pair of documents with different labels is
    /// weighted by the more relevant document's weight, e.g. the inverse of the probability that it was seen.
    public let weights: [Float]?

    /// Number of rows (documents).
    public var rowCount: Int { labels.count }
    /// Number of query groups.
    public var queryCount: Int { queryBoundaries.count - 1 }

    /// Creates a data set, checking that its parts fit together.
    ///
    /// - Parameters:
    ///   - features: row-major values, `labels.count * featureCount` of them.
    ///   - featureCount: number of columns.
    ///   - labels: one relevance label per row.
    ///   - groupSizes: number of rows of each query, in row order; they must add up to the row count.
    ///   - featureNames: column names; defaults to `f1`, `f2`, ...
    /// - Throws: `LTRError` when the sizes disagree.
    public init(
        features: [Float],
        featureCount: Int,
        labels: [Float],
        groupSizes: [Int],
        featureNames: [String]? = nil,
        weights: [Float]? = nil
    ) throws {
        var boundaries = [0]
        boundaries.reserveCapacity(groupSizes.count + 1)
        for (index, size) in groupSizes.enumerated() {
            guard size > 0 else {
                throw LTRError.groupMismatch(
                    "query group \(index + 1) has \(size) rows; every group needs at least one row."
                )
            }
            boundaries.append(boundaries[boundaries.count - 1] + size)
        }
        try self.init(
            features: features,
            featureCount: featureCount,
            labels: labels,
            queryBoundaries: boundaries,
            featureNames: featureNames,
            weights: weights
        )
    }

    /// Creates a data set from query boundaries (`[0, end of query 1, ..., rowCount]`).
    ///
    /// - Throws: `LTRError` when the sizes disagree.
    public init(
        features: [Float],
        featureCount: Int,
        labels: [Float],
        queryBoundaries: [Int],
        featureNames: [String]? = nil,
        weights: [Float]? = nil
    ) throws {
        let names = try Self.checkParts(
            featureCount: featureCount, valueCount: features.count, labels: labels, queryBoundaries: queryBoundaries,
            featureNames: featureNames, weights: weights)
        self.featureCount = featureCount
        self.features = features
        self.weights = weights
        self.labels = labels
        self.queryBoundaries = queryBoundaries
        self.featureNames = names
    }

    /// Checks that a data set's parts fit together and returns the feature names, defaulting to `f1`, `f2`, ...
    ///
    /// - Parameter valueCount: the number of feature values, when they are held as a dense matrix.
    /// - Throws: `LTRError` when the sizes disagree or a weight is not positive.
    static func checkParts(
        featureCount: Int,
        valueCount: Int?,
        labels: [Float],
        queryBoundaries: [Int],
        featureNames: [String]?,
        weights: [Float]?
    ) throws -> [String] {
        guard featureCount > 0 else {
            throw LTRError.emptyDataset("the data set has no feature columns; every row needs at least one feature.")
        }
        guard !labels.isEmpty else {
            throw LTRError.emptyDataset("the data set has no rows; give at least one labelled row.")
        }
        if let valueCount, valueCount != labels.count * featureCount {
            throw LTRError.groupMismatch(
                "the feature matrix has \(valueCount) values but \(labels.count) rows × \(featureCount) "
                    + "features need \(labels.count * featureCount)."
            )
        }
        guard let first = queryBoundaries.first, first == 0, queryBoundaries.count >= 2 else {
            throw LTRError.missingGroups("query boundaries must start at 0 and describe at least one query.")
        }
        for index in 1..<queryBoundaries.count where queryBoundaries[index] <= queryBoundaries[index - 1] {
            throw LTRError.groupMismatch("query group \(index) is empty; every group needs at least one row.")
        }
        guard queryBoundaries[queryBoundaries.count - 1] == labels.count else {
            throw LTRError.groupMismatch(
                "query group sizes add up to \(queryBoundaries[queryBoundaries.count - 1]) rows but the data has "
                    + "\(labels.count) rows; the group sizes must add up to the row count."
            )
        }
        let names = featureNames ?? (1...featureCount).map { "f\($0)" }
        guard names.count == featureCount else {
            throw LTRError.featureOutOfSchema(
                "\(names.count) feature names were given for \(featureCount) feature columns; give one name per column."
            )
        }
        if let weights {
            guard weights.count == labels.count else {
                throw LTRError.groupMismatch("\(weights.count) row weights were given for \(labels.count) rows; give one weight per row.")
            }
            if let row = weights.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw LTRError.invalidLabel("row \(row + 1) has weight \(weights[row]); row weights must be positive and finite.")
            }
        }
        return names
    }

    /// The rows of query `query`.
    public func queryRange(_ query: Int) -> Range<Int> {
        queryBoundaries[query]..<queryBoundaries[query + 1]
    }

    /// The feature values of row `row`.
    public func row(_ row: Int) -> ArraySlice<Float> {
        features[(row * featureCount)..<((row + 1) * featureCount)]
    }

    /// The number of rows of each query, in order.
    public var groupSizes: [Int] {
        (0..<queryCount).map { queryBoundaries[$0 + 1] - queryBoundaries[$0] }
    }
}
