import LTRModel
import RerankCore

/// A data set's features turned into histogram bin numbers, one byte per value.
///
/// Training data keeps two layouts: row-major (one row's bins side by side), which histogram construction
/// walks row by row, and column-major, which splitting a leaf reads for a single feature. Validation data is
/// binned with the training data's mappers and needs only the row-major layout.
///
/// ```swift
/// let mappers = BinnedDataset.findMappers(for: train, maxBin: 255)
/// let binnedTrain = BinnedDataset(train, mappers: mappers, columnMajor: true)
/// let binnedValid = BinnedDataset(valid, mappers: mappers)
/// ```
public struct BinnedDataset: Sendable {
    /// Number of rows.
    public let rowCount: Int
    /// Number of features.
    public let featureCount: Int
    /// The bin mapper of each feature.
    public let mappers: [FeatureBinMapper]
    /// Where each feature's bins start in a histogram laid out feature after feature; `featureCount + 1`
    /// values, the last being the total number of bins.
    public let binOffsets: [Int]
    /// Row-major bins: `rowBins[row * featureCount + feature]`.
    public let rowBins: [UInt8]
    /// Column-major bins, `columnBins[feature * rowCount + row]`, or empty when not requested.
    public let columnBins: [UInt8]

    /// Total number of bins over all features.
    public var totalBins: Int { binOffsets[featureCount] }

    /// Bins every value of `dataset` with the given mappers (usually the training data's).
    ///
    /// - Parameters:
    ///   - dataset: the raw data.
    ///   - mappers: one mapper per feature of `dataset`.
    ///   - columnMajor: also build the column-major layout (needed for training data).
    ///   - threads: worker threads, 0 for one per processor.
    public init(_ dataset: Dataset, mappers: [FeatureBinMapper], columnMajor: Bool = false, threads: Int = 0) {
        precondition(mappers.count == dataset.featureCount, "one bin mapper per feature")
        let rows = dataset.rowCount
        let features = dataset.featureCount
        let threadCount = Parallel.threadCount(threads)
        rowCount = rows
        featureCount = features
        self.mappers = mappers
        let offsets = mappers.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.binCount) }
        binOffsets = offsets
        let blocks = Parallel.ranges(rows, pieces: max(1, rows / 4096))
        // All bounds in one flat array, so the loop below touches no reference-counted storage.
        let bounds = mappers.flatMap(\.upperBounds)
        let zeroBins = mappers.map(\.zeroBin)
        var byRow = [UInt8](repeating: 0, count: rows * features)
        byRow.withUnsafeMutableBufferPointer { output in
            dataset.features.withUnsafeBufferPointer { values in
                bounds.withUnsafeBufferPointer { bounds in
                    Parallel.forEach(blocks.count, threads: threadCount) { block in
                        for row in blocks[block] {
                            let base = row * features
                            for feature in 0..<features {
                                let featureBounds = UnsafeBufferPointer(
                                    rebasing: bounds[offsets[feature]..<offsets[feature + 1]])
                                output[base + feature] = FeatureBinMapper.bin(
                                    for: values[base + feature], bounds: featureBounds, zeroBin: zeroBins[feature])
                            }
                        }
                    }
                }
            }
        }
        rowBins = byRow
        guard columnMajor else {
            columnBins = []
            return
        }
        var byColumn = [UInt8](repeating: 0, count: rows * features)
        byColumn.withUnsafeMutableBufferPointer { output in
            byRow.withUnsafeBufferPointer { source in
                Parallel.forEach(features, threads: threadCount) { feature in
                    let column = feature * rows
                    for row in 0..<rows {
                        output[column + row] = source[row * features + feature]
                    }
                }
            }
        }
        columnBins = byColumn
    }

    /// Finds each feature's bins from a sample of the rows of `dataset`, as LightGBM does.
    ///
    /// - Parameters:
    ///   - dataset: the training data.
    ///   - maxBin: the largest number of bins per feature (2 to 256).
    ///   - minDataInBin: the fewest sampled values per bin.
    ///   - sampleCount: how many rows to sample for the quantiles (all rows when there are fewer).
    ///   - seed: seed of the row sample.
    ///   - threads: worker threads, 0 for one per processor.
    public static func findMappers(
        for dataset: Dataset,
        maxBin: Int = 255,
        minDataInBin: Int = 3,
        sampleCount: Int = 200_000,
        seed: UInt64 = 0,
        threads: Int = 0
    ) -> [FeatureBinMapper] {
        let sample = sampleRows(dataset.rowCount, count: sampleCount, seed: seed)
        let features = dataset.featureCount
        var mappers = [FeatureBinMapper?](repeating: nil, count: features)
        mappers.withUnsafeMutableBufferPointer { output in
            let target = UncheckedBox(output)
            dataset.features.withUnsafeBufferPointer { values in
                Parallel.forEach(features, threads: Parallel.threadCount(threads)) { feature in
                    var nonZero: [Float] = []
                    for row in sample {
                        let value = values[row * features + feature]
                        if !value.isNaN && abs(value) > FeatureBinMapper.zeroThreshold { nonZero.append(value) }
                    }
                    nonZero.sort()
                    target.value[feature] = FeatureBinMapper(
                        sortedNonZero: nonZero,
                        maxBin: maxBin,
                        minDataInBin: minDataInBin
                    )
                }
            }
        }
        return mappers.map { $0! }
    }

    /// The bin of one value.
    @inline(__always)
    public func bin(row: Int, feature: Int) -> UInt8 {
        rowBins[row * featureCount + feature]
    }

    /// `count` distinct rows chosen uniformly (selection sampling), in increasing order; all rows if fewer.
    private static func sampleRows(_ rows: Int, count: Int, seed: UInt64) -> [Int] {
        guard rows > count else { return Array(0..<rows) }
        var random = SplitMix64(seed: seed, stream: 1, index: 0)
        var chosen: [Int] = []
        chosen.reserveCapacity(count)
        for row in 0..<rows where chosen.count < count {
            let needed = count - chosen.count
            let remaining = rows - row
            if random.nextUnitDouble() * Double(remaining) < Double(needed) { chosen.append(row) }
        }
        return chosen
    }
}
