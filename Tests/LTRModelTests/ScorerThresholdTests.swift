import Foundation
import LTRModel
import RerankCore
import Testing

/// The scorer's threshold comparisons at the edges of the float line: every value against every threshold,
/// equal to it, one step on either side, the infinities, -0 and NaN, and a block whose rows all hold one value;
/// with every walk the processor runs (and with them its ranks: on AVX2 with SSE, on AVX-512 with AVX-512).
@Suite struct ScorerThresholdTests {
    static func scorers(_ model: RankingModel) -> [ModelScorer] {
        ScoringWalk.available.map { ModelScorer(model, walk: $0) }
    }

    /// One stump per threshold, all on feature 0: left leaf 0, right leaf the stump's number, so a row's score
    /// tells which thresholds it was above.
    static func stumps(_ thresholds: [Float]) -> RankingModel {
        let trees = thresholds.enumerated().map { index, threshold in
            RegressionTree(
                splitFeature: [0], threshold: [threshold], leftChild: [~0], rightChild: [~1],
                leafValue: [0, Double(index + 1)])
        }
        return RankingModel(
            featureNames: ["f0"], trees: trees, parameters: TrainingParameters(),
            summary: TrainingSummary(rows: 0, queries: 0, iterations: trees.count, bestIteration: trees.count, metric: "ndcg@10"))
    }

    /// Every walk scores each value (a row of one feature) as the model's own `predict` does, to the last bit.
    static func expectEveryScorerPredicts(_ model: RankingModel, _ values: [Float]) throws {
        for scorer in scorers(model) {
            let scores = try scorer.score(rows: values)
            for (value, score) in zip(values, scores) {
                #expect(score == model.predict([value]), "\(scorer.walk) walk, value \(value)")
            }
        }
    }

    static let edges: [Float] = [
        -.infinity, -.greatestFiniteMagnitude, -1e30, -1, -.leastNormalMagnitude, -.leastNonzeroMagnitude, -0.0, 0,
        .leastNonzeroMagnitude, .leastNormalMagnitude, 1e-30, 0.5, 1, 1.5, 1e30, .greatestFiniteMagnitude, .infinity,
    ]

    /// Every threshold, the values one step below and above it, and NaN.
    static func probes(_ thresholds: [Float]) -> [Float] {
        thresholds.flatMap { [$0.nextDown, $0, $0.nextUp] } + [.nan]
    }

    @Test func edgesOfTheFloatLine() throws {
        let model = Self.stumps(Self.edges)
        let values = Self.probes(Self.edges)
        try Self.expectEveryScorerPredicts(model, values)
    }

    @Test func manyThresholdsPerBucket() throws {
        // Thresholds crowded in a few places and spread over many magnitudes, as trained models have them.
        var random = SplitMix64(seed: 7)
        func uniform() -> Float { Float(random.next() >> 40) / Float(1 << 24) }
        let crowded = (0..<300).map { _ in 0.25 + uniform() / 1_000 }
        let spread = (0..<300).map { _ in (uniform() - 0.5) * pow(10, Float(random.next() % 20) - 10) }
        let thresholds = Array(Set(crowded + spread + [0, 1, -1]))
        let model = Self.stumps(thresholds)
        let values = Self.probes(thresholds) + (0..<500).map { _ in (uniform() - 0.5) * 1_000 }
        try Self.expectEveryScorerPredicts(model, values)
    }

    /// A feature's rows above each threshold are found by comparing ranks as bytes on AVX-512, up to 255
    /// thresholds; one more takes the other way. Both agree with the model, in full and partial blocks.
    @Test(arguments: [255, 256])
    func thresholdsAtTheByteLimit(count: Int) throws {
        let thresholds = (0..<count).map { Float($0) * 0.5 - 40 }
        let model = Self.stumps(thresholds)
        let values = Self.probes(thresholds) + [-1_000, 1_000]
        try Self.expectEveryScorerPredicts(model, values)
    }

    /// Every row of blocks of every length, whole groups of four values and the rows past them (the SSE ranks take
    /// four at a time), each block's values turned by its length, so that no row finds the rank the row in its place
    /// had in the block before.
    @Test func everyRowOfBlocksOfEveryLength() throws {
        let model = Self.stumps(Self.edges)
        let probes = Self.probes(Self.edges).filter { !$0.isNaN }
        for count in Array(1...9) + [99, 100, 101, 127, 128] {
            let values = (0..<count).map { probes[($0 * 7 + count) % probes.count] }
            try Self.expectEveryScorerPredicts(model, values)
        }
    }

    /// Thresholds a float step apart share a bucket however fine the buckets are: 3, 6 and 12 of them make a
    /// window of 4, 8 and 16 thresholds (on AVX2, compared at once in one or two registers, or, past 8, searched).
    @Test(arguments: [3, 6, 12])
    func crowdedBucket(crowd: Int) throws {
        var thresholds: [Float] = [-1e30, 1e30]
        var next: Float = 1
        for _ in 0..<crowd {
            thresholds.append(next)
            next = next.nextUp
        }
        let model = Self.stumps(thresholds)
        let values = Self.probes(thresholds) + [-1e31, 0, 2, 1e31]
        try Self.expectEveryScorerPredicts(model, values)
    }

    @Test func blockOfOneValue() throws {
        // A block whose rows all hold one value (the search's context, the searcher's own features) is ranked once.
        let model = Self.stumps(Self.edges)
        for scorer in Self.scorers(model) {
            for value in Self.probes(Self.edges) {
                let scores = try scorer.score(rows: [Float](repeating: value, count: 100))
                #expect(scores == [Double](repeating: model.predict([value]), count: 100), "value \(value)")
            }
        }
    }
}
