
/// Everything that controls LambdaMART training. Every field has a default; the defaults follow LightGBM's
/// `lambdarank` where LightGBM has the same knob.
///
/// | Field | Type | Default | LightGBM name |
/// |---|---|---|---|
/// | `iterations` | Int | 100 | `num_iterations` |
/// | `learningRate` | Double | 0.1 | `learning_rate` (shrinkage of leaf outputs) |
/// | `numLeaves` | Int | 31 | `num_leaves` |
/// | `maxDepth` | Int | 0 (no limit) | `max_depth` (≤ 0: no limit) |
/// | `minDataInLeaf` | Int | 20 | `min_data_in_leaf` |
/// | `minSumHessianInLeaf` | Double | 1e-3 | `min_sum_hessian_in_leaf` |
/// | `minGainToSplit` | Double | 0 | `min_gain_to_split` |
/// | `lambdaL2` | Double | 0 | `lambda_l2` |
/// | `maxBin` | Int | 255 | `max_bin` (2 to 256) |
/// | `minDataInBin` | Int | 3 | `min_data_in_bin` |
/// | `binSampleCount` | Int | 200000 | `bin_construct_sample_cnt` |
/// | `featureFraction` | Double | 1.0 | `feature_fraction` (per tree) |
/// | `baggingFraction` | Double | 1.0 | `bagging_fraction` |
/// | `baggingFrequency` | Int | 0 (off) | `bagging_freq` |
/// | `baggingByQuery` | Bool | false | `bagging_by_query` (LightGBM bags rows by default) |
/// | `labelGain` | [Double]? | nil (2^label − 1) | `label_gain` |
/// | `truncationLevel` | Int | 30 | `lambdarank_truncation_level` |
/// | `sigmoid` | Double | 1.0 | `sigmoid` |
/// | `lambdarankNorm` | Bool | true | `lambdarank_norm` |
/// | `evalAt` | [Int] | [1, 3, 5, 10] | `eval_at` |
/// | `metricAt` | Int | 10 | NDCG@k that picks the best iteration and drives early stopping |
/// | `earlyStoppingRounds` | Int | 0 (off) | `early_stopping_round` |
/// | `numThreads` | Int | 0 (one per processor) | `num_threads` (the model never depends on it; stored as 0) |
/// | `seed` | UInt64 | 0 | `seed` (bagging, feature sampling, bin sampling) |
///
/// ```swift
/// var parameters = TrainingParameters()
/// parameters.minDataInLeaf = 50
/// parameters.baggingFraction = 0.9
/// parameters.baggingFrequency = 1
/// ```
public struct TrainingParameters: Sendable, Codable, Equatable {
    public var iterations = 100
    public var learningRate = 0.1
    public var numLeaves = 31
    public var maxDepth = 0
    public var minDataInLeaf = 20
    public var minSumHessianInLeaf = 1e-3
    public var minGainToSplit = 0.0
    public var lambdaL2 = 0.0
    public var maxBin = 255
    public var minDataInBin = 3
    public var binSampleCount = 200_000
    public var featureFraction = 1.0
    public var baggingFraction = 1.0
    public var baggingFrequency = 0
    public var baggingByQuery = false
    public var labelGain: [Double]? = nil
    public var truncationLevel = 30
    public var sigmoid = 1.0
    public var lambdarankNorm = true
    public var evalAt = [1, 3, 5, 10]
    public var metricAt = 10
    public var earlyStoppingRounds = 0
    public var numThreads = 0
    public var seed: UInt64 = 0

    /// Parameters with every field at its default.
    public init() {}

    /// Checks every field's range.
    ///
    /// - Throws: `LTRError.invalidParameter` naming the field and its allowed range.
    public func validate() throws {
        func check(_ condition: Bool, _ name: String, _ problem: String) throws {
            if !condition { throw LTRError.invalidParameter(name, problem) }
        }
        try check(iterations >= 1, "iterations", "must be at least 1 (got \(iterations))")
        try check(learningRate > 0 && learningRate.isFinite, "learningRate", "must be positive (got \(learningRate))")
        try check(numLeaves >= 2 && numLeaves <= 131_072, "numLeaves", "must be 2 to 131072 (got \(numLeaves))")
        try check(minDataInLeaf >= 1, "minDataInLeaf", "must be at least 1 (got \(minDataInLeaf))")
        try check(minSumHessianInLeaf >= 0, "minSumHessianInLeaf", "must be 0 or more (got \(minSumHessianInLeaf))")
        try check(minGainToSplit >= 0, "minGainToSplit", "must be 0 or more (got \(minGainToSplit))")
        try check(lambdaL2 >= 0, "lambdaL2", "must be 0 or more (got \(lambdaL2))")
        try check(maxBin >= 2 && maxBin <= 256, "maxBin", "must be 2 to 256 (got \(maxBin))")
        try check(minDataInBin >= 1, "minDataInBin", "must be at least 1 (got \(minDataInBin))")
        try check(binSampleCount >= 1, "binSampleCount", "must be at least 1 (got \(binSampleCount))")
        try check(
            featureFraction > 0 && featureFraction <= 1, "featureFraction", "must be in (0, 1] (got \(featureFraction))")
        try check(
            baggingFraction > 0 && baggingFraction <= 1, "baggingFraction", "must be in (0, 1] (got \(baggingFraction))")
        try check(baggingFrequency >= 0, "baggingFrequency", "must be 0 (off) or more (got \(baggingFrequency))")
        if let labelGain {
            try check(
                !labelGain.isEmpty && labelGain.allSatisfy { $0 >= 0 && $0.isFinite }, "labelGain",
                "must list a non-negative gain for each label 0, 1, 2, ...")
        }
        try check(truncationLevel >= 1, "truncationLevel", "must be at least 1 (got \(truncationLevel))")
        try check(sigmoid > 0 && sigmoid.isFinite, "sigmoid", "must be positive (got \(sigmoid))")
        try check(
            !evalAt.isEmpty && evalAt.allSatisfy { $0 >= 1 }, "evalAt", "must list cutoffs of 1 or more (got \(evalAt))")
        try check(metricAt >= 1, "metricAt", "must be at least 1 (got \(metricAt))")
        try check(earlyStoppingRounds >= 0, "earlyStoppingRounds", "must be 0 (off) or more")
        try check(numThreads >= 0, "numThreads", "must be 0 (one per processor) or more (got \(numThreads))")
    }
}
