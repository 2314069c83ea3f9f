
/// A compact, fast scorer for serving a `RankingModel`.
///
/// Rows are scored in blocks of up to 128 held as bit sets (see `ScoringProgram`): each feature value is
/// ranked once among the model's thresholds on that feature, then every tree is walked once for the whole
/// block, a node splitting the set of rows that reach it with a single bit-set operation and skipping
/// subtrees no row reaches (on AVX2 and AVX-512, every node of every tree for the block with no branch on the
/// rows: `walk`).
/// Scores are summed over trees in model order, exactly as `RankingModel.predict`.
///
/// ```swift
/// let scorer = try RankingModel(contentsOf: "model.json").scorer()
/// let scores = try scorer.score(rows: features)  // row-major, scorer.featureCount values per row
/// ```
public struct ModelScorer: Sendable {
    /// Features per row, in the order of `featureNames`.
    public let featureCount: Int
    /// The model's feature schema.
    public let featureNames: [String]
    /// Number of trees.
    public let treeCount: Int

    private let program: ScoringProgram

    /// How the trees are walked: the processor's best (`ScoringWalk.best`), or `.portable` for a model with a
    /// tree of more than 64 leaves. The scores are the same either way.
    public var walk: ScoringWalk { program.walk }

    /// Compiles a model's trees for scoring, walked the best way the processor and the model allow.
    public init(_ model: RankingModel) {
        self.init(model, walk: .best)
    }

    /// Compiles a model's trees for scoring with `walk`, which the processor must run (`ScoringWalk.isAvailable`),
    /// or portably where the model's trees are too large for it.
    package init(_ model: RankingModel, walk: ScoringWalk) {
        featureCount = model.featureNames.count
        featureNames = model.featureNames
        treeCount = model.trees.count
        program = ScoringProgram(trees: model.trees, featureCount: model.featureNames.count, walk: walk)
    }

    /// The score of one row of raw features in schema order.
    ///
    /// - Throws: `LTRError.featureCountMismatch` when the row does not have `featureCount` values.
    public func score(_ row: [Float]) throws -> Double {
        guard row.count == featureCount else {
            throw LTRError.featureCountMismatch(expected: featureCount, actual: row.count)
        }
        return try score(rows: row)[0]
    }

    /// The scores of rows given row-major, `featureCount` values per row.
    ///
    /// - Throws: `LTRError.featureCountMismatch` when the values do not divide into rows.
    public func score(rows: [Float]) throws -> [Double] {
        guard rows.count % max(1, featureCount) == 0 else {
            throw LTRError.featureCountMismatch(expected: featureCount, actual: rows.count)
        }
        var scores = [Double](repeating: 0, count: rows.count / max(1, featureCount))
        rows.withUnsafeBufferPointer { rows in
            scores.withUnsafeMutableBufferPointer { scores in score(rows: rows, into: scores) }
        }
        return scores
    }

    /// Scores rows given row-major into `scores` (one per row). Missing values (NaN) are read as 0, as in
    /// training.
    public func score(rows: UnsafeBufferPointer<Float>, into scores: UnsafeMutableBufferPointer<Double>) {
        precondition(rows.count == scores.count * featureCount, "featureCount values per row")
        for index in scores.indices { scores[index] = 0 }
        program.score(rows: rows, featureCount: featureCount, into: scores)
    }
}
