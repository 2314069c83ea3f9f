import LTRModel
import RerankCore
import Testing

/// Every walk the processor runs (AVX-512, AVX2, portable) against the others and against `RankingModel.predict`,
/// row by row and to the last bit: trees of every size up to the vector walks' 64 leaves, blocks of every awkward
/// size, values on, beside and between the thresholds, and NaN.
@Suite struct VectorWalkTests {
    static let features = 5
    /// Few thresholds, so that many rows land on one and every side of a split is taken.
    static let cuts: [Float] = [-2, -0.5, 0, 0.25, 1, 3.5]

    /// A random tree of `leaves` leaves: each node splits its leaves in two at random, and nodes are numbered in
    /// the order they are made, the right subtree first for some, as a leaf-wise learner numbers them.
    static func tree(leaves: Int, random: inout SplitMix64) -> RegressionTree {
        var tree = RegressionTree(splitFeature: [], threshold: [], leftChild: [], rightChild: [], leafValue: [])
        func make(_ count: Int) -> Int32 {
            guard count > 1 else {
                tree.leafValue.append(Double(Int(random.next() % 2001) - 1000) / 997)
                return ~Int32(tree.leafValue.count - 1)
            }
            let node = tree.splitFeature.count
            tree.splitFeature.append(Int32(random.next() % UInt64(features)))
            tree.threshold.append(cuts[Int(random.next() % UInt64(cuts.count))])
            tree.leftChild.append(0)
            tree.rightChild.append(0)
            let left = 1 + Int(random.next() % UInt64(count - 1))
            if random.next() % 2 == 0 {
                tree.leftChild[node] = make(left)
                tree.rightChild[node] = make(count - left)
            } else {
                tree.rightChild[node] = make(count - left)
                tree.leftChild[node] = make(left)
            }
            return Int32(node)
        }
        _ = make(leaves)
        return tree
    }

    static func model(leaves: [Int], seed: UInt64) -> RankingModel {
        var random = SplitMix64(seed: seed)
        let trees = leaves.map { tree(leaves: $0, random: &random) }
        return RankingModel(
            featureNames: (0..<features).map { "f\($0)" }, trees: trees, parameters: TrainingParameters(),
            summary: TrainingSummary(
                rows: 0, queries: 0, iterations: trees.count, bestIteration: trees.count, metric: "ndcg@10"))
    }

    /// Rows of values on the thresholds, one step beside them, between them, and NaN.
    static func rows(_ count: Int, seed: UInt64) -> [Float] {
        var random = SplitMix64(seed: seed)
        let values = cuts.flatMap { [$0.nextDown, $0, $0.nextUp, $0 + 0.1] } + [.nan, -0.0, -10, 10]
        return (0..<(count * features)).map { _ in values[Int(random.next() % UInt64(values.count))] }
    }

    static func expectSameScores(_ model: RankingModel, walk: ScoringWalk, rowCounts: [Int]) throws {
        let scorer = ModelScorer(model, walk: walk)
        #expect(scorer.walk == walk)
        for count in rowCounts {
            let rows = Self.rows(count, seed: UInt64(count))
            let scores = try scorer.score(rows: rows)
            for row in 0..<count {
                let expected = model.predict(Array(rows[(row * features)..<((row + 1) * features)]))
                #expect(scores[row] == expected, "row \(row) of \(count)")
            }
        }
    }

    @Test(arguments: ScoringWalk.available) func treesOfEverySizeUpTo32Leaves(walk: ScoringWalk) throws {
        let model = Self.model(leaves: Array(1...32) + (0..<40).map { 20 + $0 % 13 }, seed: 11)
        try Self.expectSameScores(model, walk: walk, rowCounts: [1, 2, 7, 8, 9, 63, 64, 65, 100, 127, 128, 129, 255, 300])
    }

    @Test(arguments: ScoringWalk.available) func treesOfUpTo64Leaves(walk: ScoringWalk) throws {
        // One tree over 32 leaves puts every tree in the walk's 64-leaf tables.
        let model = Self.model(leaves: Array(1...64) + (0..<20).map { 40 + $0 % 25 }, seed: 13)
        try Self.expectSameScores(model, walk: walk, rowCounts: [1, 8, 9, 64, 65, 100, 128, 129, 300])
    }

    @Test(arguments: ScoringWalk.available) func treesOfFewLeavesAfterLargerOnes(walk: ScoringWalk) throws {
        // A group's tree of few leaves takes the places where the group before held a larger tree's leaves.
        let model = Self.model(leaves: [31, 31, 31, 31, 30, 2, 1, 17, 31, 5, 31, 3], seed: 7)
        try Self.expectSameScores(model, walk: walk, rowCounts: [1, 33, 100, 128])
    }

    @Test(arguments: ScoringWalk.available) func blocksWhoseRowsAllHoldOneValue(walk: ScoringWalk) throws {
        let model = Self.model(leaves: [31, 31, 2, 1, 32], seed: 5)
        let scorer = ModelScorer(model, walk: walk)
        for value in Self.cuts.flatMap({ [$0.nextDown, $0, $0.nextUp] }) + [.nan] {
            let row = [Float](repeating: value, count: Self.features)
            let scores = try scorer.score(rows: Array([[Float]](repeating: row, count: 100).joined()))
            #expect(scores == [Double](repeating: model.predict(row), count: 100), "value \(value)")
        }
    }

    @Test func theScorerWalksTheProcessorsBestWay() {
        let model = Self.model(leaves: [31, 8, 64], seed: 17)
        #expect(ModelScorer(model).walk == ScoringWalk.best)
        #expect(ScoringWalk.available.first == .portable)
        #expect(ScoringWalk.available.last == ScoringWalk.best)
    }

    @Test(arguments: ScoringWalk.available) func aTreeOfMoreThan64LeavesTakesThePortableWalk(walk: ScoringWalk) throws {
        let model = Self.model(leaves: [31, 65, 8], seed: 3)
        #expect(ModelScorer(model, walk: walk).walk == .portable)
        try Self.expectSameScores(model, walk: .portable, rowCounts: [1, 100, 129])
    }
}
