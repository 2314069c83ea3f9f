import LTRModel
import LTRTraining
import RerankCore
import RerankFixtures
import Testing

/// Histogram bins: few values get a bin each, zero has its own bin, bounds agree with raw thresholds.
@Suite struct BinningTests {
    @Test func fewDistinctValuesGetOneBinEach() {
        let mapper = FeatureBinMapper(values: [1, 1, 2, 2, 3, 3, 0, 0], maxBin: 255, minDataInBin: 1)
        // Zero's bin ends just above 0, then one bin per positive value.
        #expect(mapper.binCount == 4)
        #expect(mapper.upperBounds == [1e-35, 1.5, 2.5, .infinity])
        #expect([0, 1, 2, 3].map { mapper.bin(for: $0) } == [0, 1, 2, 3])
        #expect(mapper.bin(for: .nan) == mapper.zeroBin)
    }

    @Test func negativeValuesAndZero() {
        let mapper = FeatureBinMapper(values: [-2, -2, -1, -1, 0, 0, 0, 4, 4], maxBin: 255, minDataInBin: 1)
        #expect(mapper.upperBounds == [-1.5, -1e-35, 1e-35, .infinity])
        #expect(mapper.zeroBin == 2)
        #expect([-2, -1, 0, 4].map { mapper.bin(for: $0) } == [0, 1, 2, 3])
    }

    @Test func minDataInBinMergesRareValues() {
        let mapper = FeatureBinMapper(values: [1, 2, 3, 4, 5, 6], maxBin: 255, minDataInBin: 3)
        #expect(mapper.upperBounds == [1e-35, 3.5, .infinity])
    }

    @Test func manyValuesRespectMaxBin() {
        let values = (0..<10_000).map { Float($0 % 1000) / 10 }
        let mapper = FeatureBinMapper(values: values, maxBin: 16, minDataInBin: 3)
        #expect(mapper.binCount <= 16 && mapper.binCount >= 12)
        // Roughly equal-frequency bins over the positive values.
        var counts = [Int](repeating: 0, count: mapper.binCount)
        for value in values { counts[Int(mapper.bin(for: value))] += 1 }
        #expect(counts.dropFirst().allSatisfy { $0 > 300 && $0 < 1500 }, "\(counts)")
    }

    @Test func constantFeatureHasOneBin() {
        #expect(FeatureBinMapper(values: [0, 0, 0], maxBin: 255, minDataInBin: 1).binCount == 1)
    }

    @Test func boundsSelectTheSameRowsAsBins() throws {
        let data = try RankingFixtures.synthetic(queries: 20, documents: 30, features: 6)
        let mappers = BinnedDataset.findMappers(for: data, maxBin: 32)
        let binned = BinnedDataset(data, mappers: mappers)
        let columns = BinnedDataset(data, mappers: mappers, layout: .columnMajor)
        #expect(binned.totalBins == mappers.map(\.binCount).reduce(0, +))
        for feature in 0..<data.featureCount {
            for row in 0..<data.rowCount {
                let bin = binned.bin(row: row, feature: feature)
                #expect(binned.bins[row * data.featureCount + feature] == bin)
                #expect(columns.bins[feature * data.rowCount + row] == bin)
                let value = data.features[row * data.featureCount + feature]
                for threshold in 0..<(mappers[feature].binCount - 1) {
                    #expect((bin <= UInt8(threshold)) == (value <= mappers[feature].upperBounds[threshold]))
                }
            }
        }
    }
}
