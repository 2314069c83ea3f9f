import Experiments

/// The sample-ratio-mismatch check: do the users counted per variant match the configured split?
///
/// A mismatch means assignment or logging is broken (users lost from one arm, bots in another), and every
/// comparison of that experiment is suspect. Pearson's chi-square test on user counts; the usual threshold is
/// p < 0.001, strict because the check runs on every experiment.
///
/// ```swift
/// let check = SampleRatioCheck(observed: ["control": 5_120, "model": 4_880], expected: ["control": 0.5, "model": 0.5])
/// check.mismatch  // false (p ≈ 0.016)
/// ```
public struct SampleRatioCheck: Sendable, Equatable {
    public var statistic: Double
    public var degreesOfFreedom: Int
    public var pValue: Double
    /// p below `threshold`.
    public var mismatch: Bool

    /// - Parameters:
    ///   - observed: users per variant.
    ///   - expected: each variant's configured share (normalized here); variants missing from `observed` count 0.
    ///   - threshold: the p-value below which counts are called a mismatch.
    public init(observed: [String: Int], expected: [String: Double], threshold: Double = 0.001) {
        let total = Double(observed.values.reduce(0, +))
        let shareSum = expected.values.reduce(0, +)
        var statistic = 0.0
        for (variant, share) in expected where share > 0 {
            let expectedCount = total * share / shareSum
            let difference = Double(observed[variant] ?? 0) - expectedCount
            statistic += difference * difference / expectedCount
        }
        self.statistic = statistic
        degreesOfFreedom = max(1, expected.values.filter { $0 > 0 }.count - 1)
        pValue = total > 0 ? Distributions.chiSquareSurvival(statistic, degreesOfFreedom: degreesOfFreedom) : 1
        mismatch = pValue < threshold
    }
}
