import LTRModel

/// Per-bin sums of gradients and hessians for one leaf, over all features' bins.
///
/// Like LightGBM, bins hold no row counts: split search estimates them from hessians. Memory is allocated
/// once and reused across leaves and trees; sums are `Double` whatever the precision of the gradients.
final class Histogram {
    /// Gradient and hessian sums, `(gradient, hessian)` per bin.
    let sums: UnsafeMutablePointer<SIMD2<Double>>
    let binCount: Int

    /// Features summed together in one pass over a leaf's rows.
    private static let featuresPerPass = 4

    init(binCount: Int) {
        self.binCount = binCount
        sums = .allocate(capacity: max(1, binCount))
    }

    deinit {
        sums.deallocate()
    }

    /// Rebuilds the bins of `features` from the rows `rows`.
    ///
    /// Works column by column, as LightGBM's column-wise histograms: the leaf's gradient pairs are first
    /// gathered in row order (`ordered`), then each pass sums a few features' columns over the rows. One
    /// column of bins is one byte per row, so the columns of a pass stay in cache even when the leaf's rows
    /// are scattered. Each feature is summed by one thread in row order, so the result does not depend on
    /// the thread count.
    ///
    /// - Parameters:
    ///   - rows: the leaf's row indices, increasing.
    ///   - gradients: `(gradient, hessian)` of every row of the data set.
    ///   - data: the binned training data (column-major layout).
    ///   - features: the features to build, increasing.
    ///   - ordered: scratch for at least `rows.count` gradient pairs.
    ///   - threads: worker threads.
    func build(
        rows: UnsafeBufferPointer<Int32>,
        gradients: UnsafePointer<SIMD2<Float>>,
        data: BinnedDataset,
        features: [Int],
        ordered: UnsafeMutablePointer<SIMD2<Float>>,
        threads: Int
    ) {
        guard !features.isEmpty else { return }
        for (position, row) in rows.enumerated() { ordered[position] = gradients[Int(row)] }
        let passes = Parallel.ranges(features.count, pieces: (features.count + Self.featuresPerPass - 1) / Self.featuresPerPass)
        let workers = rows.count * features.count < 1 << 16 ? 1 : threads
        let rowCount = data.rowCount
        data.bins.withUnsafeBufferPointer { columns in
            data.binOffsets.withUnsafeBufferPointer { offsets in
                Parallel.forEach(passes.count, threads: workers) { pass in
                    let group = Array(features[passes[pass]])
                    for feature in group {
                        (sums + offsets[feature]).update(
                            repeating: .zero, count: offsets[feature + 1] - offsets[feature])
                    }
                    Self.accumulate(
                        rows: rows, ordered: ordered, columns: columns.baseAddress!, rowCount: rowCount,
                        offsets: offsets.baseAddress!, features: group, into: sums)
                }
            }
        }
    }

    /// Turns this parent histogram into its larger child's: `self -= smaller`, over `features`' bins.
    func subtract(_ smaller: Histogram, features: [Int], offsets: [Int]) {
        for feature in features {
            for bin in offsets[feature]..<offsets[feature + 1] {
                sums[bin] -= smaller.sums[bin]
            }
        }
    }

    /// Adds the rows' gradient pairs to their bins of up to four features, in row order.
    private static func accumulate(
        rows: UnsafeBufferPointer<Int32>,
        ordered: UnsafePointer<SIMD2<Float>>,
        columns: UnsafePointer<UInt8>,
        rowCount: Int,
        offsets: UnsafePointer<Int>,
        features: [Int],
        into sums: UnsafeMutablePointer<SIMD2<Double>>
    ) {
        if features.count == 4 {
            let column0 = columns + features[0] * rowCount, sums0 = sums + offsets[features[0]]
            let column1 = columns + features[1] * rowCount, sums1 = sums + offsets[features[1]]
            let column2 = columns + features[2] * rowCount, sums2 = sums + offsets[features[2]]
            let column3 = columns + features[3] * rowCount, sums3 = sums + offsets[features[3]]
            for (position, row) in rows.enumerated() {
                let pair = SIMD2<Double>(ordered[position])
                let index = Int(row)
                sums0[Int(column0[index])] += pair
                sums1[Int(column1[index])] += pair
                sums2[Int(column2[index])] += pair
                sums3[Int(column3[index])] += pair
            }
            return
        }
        for feature in features {
            let column = columns + feature * rowCount
            let featureSums = sums + offsets[feature]
            for (position, row) in rows.enumerated() {
                featureSums[Int(column[Int(row)])] += SIMD2<Double>(ordered[position])
            }
        }
    }
}
