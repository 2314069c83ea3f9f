import LTRModel

/// A data set's features turned into histogram bin numbers, one byte per value, in one layout.
///
/// Training data is column-major (one feature's bins side by side): histogram construction sums a few
/// columns at a time over a leaf's rows, and splitting a leaf reads a single column. Validation data is only
/// walked row by row through the trees, so it is row-major. Validation data is binned with the training
/// data's mappers.
///
/// ```swift
/// let mappers = BinnedDataset.findMappers(for: train, maxBin: 255)
/// let binnedTrain = BinnedDataset(train, mappers: mappers, layout: .columnMajor)
/// let binnedValid = BinnedDataset(valid, mappers: mappers)
/// ```
public struct BinnedDataset: Sendable {
    /// How the bins are laid out in ``bins``.
    public enum Layout: Sendable {
        /// One row's bins side by side: `bins[row * featureCount + feature]`.
        case rowMajor
        /// One feature's bins side by side: `bins[feature * rowCount + row]`.
        case columnMajor
    }

    /// Number of rows.
    public let rowCount: Int
    /// Number of features.
    public let featureCount: Int
    /// The bin mapper of each feature.
    public let mappers: [FeatureBinMapper]
    /// Where each feature's bins start in a histogram laid out feature after feature; `featureCount + 1`
    /// values, the last being the total number of bins.
    public let binOffsets: [Int]
    /// The layout of ``bins``.
    public let layout: Layout
    /// The bin of every value, `rowCount * featureCount` of them, laid out as ``layout`` says.
    public let bins: [UInt8]

    /// Total number of bins over all features.
    public var totalBins: Int { binOffsets[featureCount] }
    /// The distance in ``bins`` between one row's consecutive features.
    public var featureStride: Int { layout == .rowMajor ? 1 : rowCount }
    /// The distance in ``bins`` between one feature's consecutive rows.
    public var rowStride: Int { layout == .rowMajor ? featureCount : 1 }

    /// Bins every value of `dataset` with the given mappers (usually the training data's).
    ///
    /// - Parameters:
    ///   - dataset: the raw data.
    ///   - mappers: one mapper per feature of `dataset`.
    ///   - layout: `.columnMajor` for training data, `.rowMajor` for validation data.
    ///   - threads: worker threads, 0 for one per processor.
    public init(_ dataset: Dataset, mappers: [FeatureBinMapper], layout: Layout = .rowMajor, threads: Int = 0) {
        precondition(mappers.count == dataset.featureCount, "one bin mapper per feature")
        let rows = dataset.rowCount
        let features = dataset.featureCount
        let (rowStride, featureStride) = layout == .rowMajor ? (features, 1) : (1, rows)
        let blocks = Parallel.ranges(rows, pieces: max(1, rows / 4096))
        var bins = [UInt8](repeating: 0, count: rows * features)
        BinLookup.with(mappers) { lookup in
            bins.withUnsafeMutableBufferPointer { output in
                dataset.features.withUnsafeBufferPointer { values in
                    Parallel.forEach(blocks.count, threads: Parallel.threadCount(threads)) { block in
                        for row in blocks[block] {
                            for feature in 0..<features {
                                output[row * rowStride + feature * featureStride] = lookup.bin(
                                    values[row * features + feature], feature: feature)
                            }
                        }
                    }
                }
            }
        }
        self.init(rowCount: rows, mappers: mappers, layout: layout, bins: bins)
    }

    /// Wraps bins already computed with `mappers`.
    init(rowCount: Int, mappers: [FeatureBinMapper], layout: Layout, bins: [UInt8]) {
        precondition(bins.count == rowCount * mappers.count, "one bin per row and feature")
        self.rowCount = rowCount
        featureCount = mappers.count
        self.mappers = mappers
        binOffsets = mappers.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.binCount) }
        self.layout = layout
        self.bins = bins
    }

    /// Finds each feature's bins from a uniform sample of the rows of `dataset` (``RowReservoir``), as
    /// LightGBM does.
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
        var reservoir = RowReservoir(capacity: sampleCount, seed: seed)
        reservoir.add(rows: dataset.rowCount)
        let sample = reservoir.rows
        let features = dataset.featureCount
        return dataset.features.withUnsafeBufferPointer { values in
            FeatureBinMapper.mappers(
                featureCount: features, maxBin: maxBin, minDataInBin: minDataInBin,
                threads: Parallel.threadCount(threads)
            ) { feature in
                sample.map { values[$0 * features + feature] }.filter(FeatureBinMapper.isNonZero)
            }
        }
    }

    /// The bin of one value.
    @inline(__always)
    public func bin(row: Int, feature: Int) -> UInt8 {
        bins[row * rowStride + feature * featureStride]
    }
}

/// Every feature's bin bounds in flat buffers, so binning loops touch no reference-counted storage per value.
struct BinLookup {
    private let bounds: UnsafeBufferPointer<Float>
    private let offsets: UnsafeBufferPointer<Int>
    private let zeroBins: UnsafeBufferPointer<UInt8>

    /// Calls `body` with a lookup over `mappers`, valid only inside `body`.
    static func with<Result>(_ mappers: [FeatureBinMapper], _ body: (BinLookup) throws -> Result) rethrows -> Result {
        let bounds = mappers.flatMap(\.upperBounds)
        let offsets = mappers.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.binCount) }
        let zeroBins = mappers.map(\.zeroBin)
        return try bounds.withUnsafeBufferPointer { bounds in
            try offsets.withUnsafeBufferPointer { offsets in
                try zeroBins.withUnsafeBufferPointer { zeroBins in
                    try body(BinLookup(bounds: bounds, offsets: offsets, zeroBins: zeroBins))
                }
            }
        }
    }

    /// The bin of `value` of feature `feature`.
    @inline(__always)
    func bin(_ value: Float, feature: Int) -> UInt8 {
        FeatureBinMapper.bin(
            for: value, bounds: UnsafeBufferPointer(rebasing: bounds[offsets[feature]..<offsets[feature + 1]]),
            zeroBin: zeroBins[feature])
    }

    /// The bin of 0 (and of missing values) of feature `feature`.
    @inline(__always)
    func zeroBin(_ feature: Int) -> UInt8 { zeroBins[feature] }
}
