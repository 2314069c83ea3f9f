import Foundation
import LTRModel
@testable import LTRTraining
import RerankCore
import RerankFixtures
import Testing

/// Bin-on-read: the spill file, the reservoir sample and the builder against binning a data set in memory.
@Suite struct BinnedDatasetBuilderTests {
    /// Appends `data` to a builder a few queries at a time.
    static func build(
        _ data: Dataset, parameters: TrainingParameters, queriesPerAppend: Int = 3, weights: [Float]? = nil
    ) throws -> BinnedDatasetBuilder {
        let builder = try BinnedDatasetBuilder(parameters: parameters)
        for first in stride(from: 0, to: data.queryCount, by: queriesPerAppend) {
            let queries = first..<min(data.queryCount, first + queriesPerAppend)
            let rows = data.queryBoundaries[queries.lowerBound]..<data.queryBoundaries[queries.upperBound]
            try builder.append(
                features: Array(data.features[(rows.lowerBound * data.featureCount)..<(rows.upperBound * data.featureCount)]),
                featureCount: data.featureCount, labels: Array(data.labels[rows]),
                groupSizes: queries.map { data.queryRange($0).count }, weights: weights.map { Array($0[rows]) })
        }
        return builder
    }

    /// Synthetic data with missing values and negative values, which bin apart from zero.
    static func data(queries: Int = 30) throws -> Dataset {
        let base = try RankingFixtures.synthetic(queries: queries, documents: 20, features: 7)
        let features = base.features.enumerated().map { index, value -> Float in
            index % 11 == 0 ? .nan : index % 5 == 0 ? -value : value
        }
        return try Dataset(features: features, featureCount: 7, labels: base.labels, groupSizes: base.groupSizes)
    }

    @Test func binsLikeADataSetInMemory() throws {
        let data = try Self.data()
        var parameters = TrainingParameters()
        parameters.maxBin = 16
        let weights = (0..<data.rowCount).map { Float(1 + $0 % 3) }
        let built = try Self.build(data, parameters: parameters, weights: weights).finish(layout: .columnMajor)
        let mappers = BinnedDataset.findMappers(for: data, maxBin: 16, seed: parameters.seed)
        let direct = TrainingData(data, mappers: mappers, layout: .columnMajor)
        #expect(built.bins.mappers == mappers)
        #expect(built.bins.bins == direct.bins.bins)
        #expect(built.labels == data.labels && built.queryBoundaries == data.queryBoundaries)
        #expect(built.weights == weights && built.featureNames == data.featureNames)

        let valid = try Self.data(queries: 5)
        let builtValid = try Self.build(valid, parameters: parameters).finish(mappers: mappers)
        #expect(builtValid.bins.layout == .rowMajor)
        #expect(builtValid.bins.bins == BinnedDataset(valid, mappers: mappers).bins)
        #expect(builtValid.weights == nil)
    }

    @Test func trainsTheSameModelAsADataSet() throws {
        let data = try Self.data(queries: 60)
        var parameters = DeterminismTests.parameters
        parameters.numThreads = 2
        let built = try Self.build(data, parameters: parameters).finish()
        let fromBuilder = try Booster(train: built, parameters: parameters).train().jsonData()
        let fromDataset = try Booster(train: data, parameters: parameters).train().jsonData()
        #expect(fromBuilder == fromDataset)
    }

    @Test func spillRoundTripsAcrossBlocks() throws {
        let spill = try SpillFile()
        var blocks: [SparseRows] = []
        var random = SplitMix64(seed: 3)
        for size in [1, 0, 700, 5, 4_096, 33] {
            var block = SparseRows()
            for _ in 0..<size {
                for column in 0..<Int32(random.next() % 6) {
                    block.columns.append(column * 3)
                    block.values.append(Float(random.nextUnitDouble()))
                }
                block.rowEnds.append(block.columns.count)
            }
            blocks.append(block)
            try spill.append(block)
        }
        for _ in 0..<2 {
            try spill.rewind()
            var read: [SparseRows] = []
            while let block = try spill.next() { read.append(block) }
            #expect(read == blocks)
        }
    }

    @Test func reservoirIsUniformAndDeterministic() {
        func sample(seed: UInt64, pieces: [Int]) -> [Int] {
            var reservoir = RowReservoir(capacity: 1_000, seed: seed)
            for piece in pieces { reservoir.add(rows: piece) }
            return reservoir.rows
        }
        let whole = sample(seed: 5, pieces: [20_000])
        #expect(whole.count == 1_000 && whole == whole.sorted() && Set(whole).count == 1_000)
        #expect(whole.allSatisfy { (0..<20_000).contains($0) })
        #expect(sample(seed: 5, pieces: [1, 999, 7_000, 12_000]) == whole, "how rows are handed over does not matter")
        #expect(sample(seed: 6, pieces: [20_000]) != whole)
        // Each tenth of the rows holds about a tenth of the sample.
        let tenths = (0..<10).map { tenth in whole.filter { $0 / 2_000 == tenth }.count }
        #expect(tenths.allSatisfy { (60...140).contains($0) }, "\(tenths)")
        #expect(sample(seed: 5, pieces: [600, 400]) == Array(0..<1_000), "at most capacity rows: every row")
    }

    @Test func largeDataBinsTheSameWhateverTheThreads() throws {
        let data = try Self.data(queries: 40)
        var parameters = TrainingParameters()
        parameters.binSampleCount = 150  // fewer than the 800 rows: a real sample
        parameters.seed = 9
        var results: [TrainingData] = []
        for (threads, queriesPerAppend) in [(1, 1), (2, 7), (4, 40)] {
            parameters.numThreads = threads
            results.append(try Self.build(data, parameters: parameters, queriesPerAppend: queriesPerAppend).finish())
        }
        #expect(results.allSatisfy { $0.bins.mappers == results[0].bins.mappers && $0.bins.bins == results[0].bins.bins })
        // The mappers are those of the same sample of the data set in memory.
        #expect(results[0].bins.mappers == BinnedDataset.findMappers(for: data, sampleCount: 150, seed: 9))
    }

    @Test func rejectsMismatchedAppends() throws {
        let builder = try BinnedDatasetBuilder(parameters: TrainingParameters())
        #expect(throws: LTRError.self) {
            try builder.append(features: [1, 2, 3], featureCount: 2, labels: [1, 0], groupSizes: [2])
        }
        #expect(throws: LTRError.self) {
            try builder.append(features: [1, 2, 3, 4], featureCount: 2, labels: [1, 0], groupSizes: [1])
        }
        try builder.append(features: [1, 2, 3, 4], featureCount: 2, labels: [1, 0], groupSizes: [2])
        #expect(throws: LTRError.self) {
            try builder.append(features: [1, 2, 3], featureCount: 3, labels: [1], groupSizes: [1])
        }
        #expect(throws: LTRError.self) {
            try builder.append(features: [1, 2], featureCount: 2, labels: [1], groupSizes: [1], weights: [1])
        }
        #expect(throws: LTRError.self) { try BinnedDatasetBuilder(parameters: TrainingParameters()).finish() }
    }
}
