import ExperimentAnalysis
import Experiments
import RerankCore
import Testing

/// The report's statistics against values computed by hand and textbook tables.
struct StatisticsTests {
    @Test func theDeltaMethodRatioMatchesAHandComputation() {
        // Users' (clicked searches, searches): (3, 4), (1, 2), (2, 2). R = 6/8; sample variances: x 1, y 4/3,
        // covariance 1; Var(R) = (1 - 2·0.75·1 + 0.75²·4/3) / (3 · (8/3)²) = 0.25 / (64/3) = 0.01171875.
        let estimate = RatioEstimate(numerators: [3, 1, 2], denominators: [4, 2, 2])
        #expect(estimate.value == 0.75)
        #expect(abs(estimate.standardError - 0.01171875.squareRoot()) < 1e-12)
        #expect(estimate.users == 3)
        let interval = estimate.interval(confidence: 0.95)
        #expect(abs(interval.low - (0.75 - 1.959964 * 0.108253)) < 1e-5)
        #expect(RatioEstimate(numerators: [1], denominators: [2]).standardError.isNaN)
    }

    @Test func distributionFunctionsMatchTables() {
        #expect(abs(Distributions.normalQuantile(0.975) - 1.959964) < 1e-6)
        #expect(abs(Distributions.twoSidedNormalP(1.959964) - 0.05) < 1e-6)
        #expect(abs(Distributions.chiSquareSurvival(3.841459, degreesOfFreedom: 1) - 0.05) < 1e-6)
        #expect(abs(Distributions.chiSquareSurvival(5.991465, degreesOfFreedom: 2) - 0.05) < 1e-6)
        #expect(abs(Distributions.chiSquareSurvival(27.877166, degreesOfFreedom: 9) - 0.001) < 1e-7)
        #expect(abs(Distributions.chiSquareSurvival(0.5, degreesOfFreedom: 3) - 0.918891) < 1e-6)
    }

    @Test func aDifferenceIsTestedWithBothArmsVariance() {
        let control = RatioEstimate(value: 0.30, standardError: 0.01, users: 1000)
        let treatment = RatioEstimate(value: 0.33, standardError: 0.01, users: 1000)
        let difference = Difference(treatment: treatment, control: control, alpha: 0.05)
        #expect(abs(difference.value - 0.03) < 1e-12)
        #expect(abs(difference.standardError - 0.0002.squareRoot()) < 1e-12)
        // z = 0.03 / 0.014142 = 2.1213: two-sided p = 0.0339.
        #expect(abs(difference.pValue - 0.0339) < 1e-4)
        #expect(difference.significant)
        #expect(difference.low > 0)
    }

    @Test func theSampleRatioCheckFlagsSkewedCounts() {
        let fine = SampleRatioCheck(observed: ["control": 5_120, "model": 4_880], expected: ["control": 0.5, "model": 0.5])
        #expect(abs(fine.statistic - 5.76) < 1e-9)
        #expect(abs(fine.pValue - 0.0164) < 1e-4)
        #expect(!fine.mismatch)
        let skewed = SampleRatioCheck(observed: ["control": 5_300, "model": 4_700], expected: ["control": 0.5, "model": 0.5])
        #expect(skewed.mismatch)
        let unequal = SampleRatioCheck(observed: ["control": 800, "model": 200], expected: ["control": 0.8, "model": 0.2])
        #expect(unequal.statistic == 0)
        #expect(!unequal.mismatch)
        let missingArm = SampleRatioCheck(observed: ["control": 1_000], expected: ["control": 0.5, "model": 0.5])
        #expect(missingArm.mismatch)
    }
}
