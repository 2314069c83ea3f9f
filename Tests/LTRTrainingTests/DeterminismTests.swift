import Foundation
import LTRModel
import LTRTraining
import RerankCore
import RerankFixtures
import Testing

/// The same data, parameters and seed give byte-identical models, whatever the thread count.
@Suite struct DeterminismTests {
    static var parameters: TrainingParameters {
        var parameters = TrainingParameters()
        parameters.iterations = 15
        parameters.minDataInLeaf = 10
        parameters.baggingFraction = 0.8
        parameters.baggingFrequency = 1
        parameters.featureFraction = 0.7
        parameters.seed = 42
        return parameters
    }

    static func modelBytes(threads: Int, seed: UInt64 = 42, data: Dataset) throws -> Data {
        var parameters = Self.parameters
        parameters.numThreads = threads
        parameters.seed = seed
        return try Booster(train: data, parameters: parameters).train().jsonData()
    }

    @Test func sameSeedSameBytes() throws {
        let data = try RankingFixtures.synthetic(queries: 60, documents: 25, features: 12)
        let first = try Self.modelBytes(threads: 2, data: data)
        let second = try Self.modelBytes(threads: 2, data: data)
        #expect(first == second)
        let otherSeed = try Self.modelBytes(threads: 2, seed: 43, data: data)
        #expect(first != otherSeed, "the seed drives bagging and feature sampling")
    }

    @Test func threadCountDoesNotChangeTheModel() throws {
        // Large enough that histograms, partitions and gradients really run on several threads.
        let data = try RankingFixtures.synthetic(queries: 400, documents: 40, features: 20)
        let one = try Self.modelBytes(threads: 1, data: data)
        let two = try Self.modelBytes(threads: 2, data: data)
        let four = try Self.modelBytes(threads: 4, data: data)
        #expect(one == two)
        #expect(one == four)
    }
}
