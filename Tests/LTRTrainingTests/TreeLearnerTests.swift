import LTRModel
import LTRTraining
import RerankCore
import Testing

/// The tree learner alone, on hand-made gradients.
@Suite struct TreeLearnerTests {
    /// 100 rows; feature 1 separates negative from positive gradients at 0.5, feature 0 is noise.
    static func stumpData() throws -> (BinnedDataset, [SIMD2<Float>]) {
        var features: [Float] = []
        var pairs: [SIMD2<Float>] = []
        for row in 0..<100 {
            features += [Float((row * 37) % 100) / 100, Float(row) / 100]
            pairs.append(SIMD2(row < 50 ? 1 : -1, 1))
        }
        let data = try Dataset(features: features, featureCount: 2, labels: .init(repeating: 0, count: 100), groupSizes: [100])
        let binned = BinnedDataset(data, mappers: BinnedDataset.findMappers(for: data, minDataInBin: 1), layout: .columnMajor)
        return (binned, pairs)
    }

    @Test func splitsOnTheInformativeFeature() throws {
        let (binned, pairs) = try Self.stumpData()
        var parameters = TrainingParameters()
        parameters.numLeaves = 2
        parameters.minDataInLeaf = 10
        parameters.learningRate = 0.5
        let learner = try TreeLearner(data: binned, parameters: parameters)
        let tree = pairs.withUnsafeBufferPointer { learner.grow(gradients: $0, bag: nil, features: [0, 1]) }
        #expect(tree.nodeCount == 1 && tree.splitFeature == [1])
        #expect(tree.threshold[0] >= 0.49 && tree.threshold[0] < 0.5)
        // Newton step −G/H = −50/50 on the left, +1 on the right, times the learning rate.
        #expect(tree.leafValue == [-0.5, 0.5])
        #expect(tree.leafCount == [50, 50])
        // Gain G_L²/H_L + G_R²/H_R − G²/H = 50 + 50 − 0.
        #expect(abs(tree.splitGain[0] - 100) < 1e-9)
        var scores = [Double](repeating: 0, count: 100)
        learner.addPredictions(of: tree, to: &scores)
        #expect(scores[0] == -0.5 && scores[99] == 0.5)
    }

    @Test func respectsLimits() throws {
        let (binned, pairs) = try Self.stumpData()
        var parameters = TrainingParameters()
        parameters.minDataInLeaf = 60  // no split can leave 60 rows on both sides
        let learner = try TreeLearner(data: binned, parameters: parameters)
        let tree = pairs.withUnsafeBufferPointer { learner.grow(gradients: $0, bag: nil, features: [0, 1]) }
        #expect(tree.nodeCount == 0)
        parameters.minDataInLeaf = 5
        parameters.numLeaves = 8
        parameters.maxDepth = 2
        let deep = try TreeLearner(data: binned, parameters: parameters)
        let limited = pairs.withUnsafeBufferPointer { deep.grow(gradients: $0, bag: nil, features: [0]) }
        #expect(limited.numberOfLeaves <= 4)
        #expect(limited.splitFeature.allSatisfy { $0 == 0 }, "only the allowed feature")
    }

    @Test func bagLimitsTheRowsButScoresEveryRow() throws {
        let (binned, pairs) = try Self.stumpData()
        var parameters = TrainingParameters()
        parameters.numLeaves = 2
        parameters.minDataInLeaf = 5
        let learner = try TreeLearner(data: binned, parameters: parameters)
        let bag = (0..<100).filter { $0 % 2 == 0 }.map(Int32.init)
        let tree = pairs.withUnsafeBufferPointer { learner.grow(gradients: $0, bag: bag, features: [0, 1]) }
        #expect(tree.leafCount.reduce(0, +) == 50)
        var scores = [Double](repeating: 0, count: 100)
        learner.addPredictions(of: tree, to: &scores)
        for row in 0..<100 {
            #expect(scores[row] == tree.leafValue[row < 50 ? 0 : 1], "row \(row)")
        }
    }
}
