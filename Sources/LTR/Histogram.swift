/// Per-bin sums of gradients and hessians for one leaf, over all features' bins.
///
/// Like LightGBM, bins hold no row counts: split search estimates them from hessians.
///
/// Memory is allocated once and reused across leaves and trees; sums are `Double` whatever the precision of
/// the gradients, and each feature's bins are always summed by one thread in row order, so a histogram never
/// depends on the thread count.
final class Histogram {
    /// Gradient and hessian sums, `(gradient, hessian)` per bin.
    let sums: UnsafeMutablePointer<SIMD2<Double>>
    let binCount: Int

    init(binCount: Int) {
        self.binCount = binCount
        sums = .allocate(capacity: max(1, binCount))
    }

    deinit {
        sums.deallocate()
    }

    /// Rebuilds the bins of `features` from the rows `rows`.
    ///
    /// - Parameters:
    ///   - rows: the leaf's row indices, increasing.
    ///   - gradients: `(gradient, hessian)` of every row of the data set.
    ///   - data: the binned training data (row-major layout).
    ///   - features: the features to build, increasing.
    ///   - threads: worker threads; each takes a contiguous group of features.
    func build(
        rows: UnsafeBufferPointer<Int32>,
        gradients: UnsafePointer<SIMD2<Float>>,
        data: BinnedDataset,
        features: [Int],
        threads: Int
    ) {
        let work = rows.count * features.count
        let groups = work < 1 << 16 ? 1 : min(threads, features.count)
        let pieces = Parallel.ranges(features.count, pieces: groups)
        let featureCount = data.featureCount
        data.rowBins.withUnsafeBufferPointer { bins in
            data.binOffsets.withUnsafeBufferPointer { offsets in
                let context = UncheckedBox((self, bins, offsets))
                Parallel.forEach(pieces.count, threads: threads) { piece in
                    let (histogram, bins, offsets) = context.value
                    let group = Array(features[pieces[piece]])
                    histogram.build(
                        rows: rows, gradients: gradients, bins: bins.baseAddress!, featureCount: featureCount,
                        offsets: offsets.baseAddress!, group: group)
                }
            }
        }
    }

    private func build(
        rows: UnsafeBufferPointer<Int32>,
        gradients: UnsafePointer<SIMD2<Float>>,
        bins: UnsafePointer<UInt8>,
        featureCount: Int,
        offsets: UnsafePointer<Int>,
        group: [Int]
    ) {
        guard !group.isEmpty else { return }
        for feature in group {
            let range = offsets[feature]..<offsets[feature + 1]
            (sums + range.lowerBound).update(repeating: .zero, count: range.count)
        }
        let sums = self.sums
        let first = group[0]
        if group[group.count - 1] - first + 1 == group.count {
            // A contiguous run of features: the common case, with no feature list to chase.
            let end = first + group.count
            for row in rows {
                let rowBins = bins + Int(row) * featureCount
                let pair = SIMD2<Double>(gradients[Int(row)])
                for feature in first..<end {
                    let bin = offsets[feature] + Int(rowBins[feature])
                    sums[bin] += pair
                }
            }
            return
        }
        group.withUnsafeBufferPointer { group in
            for row in rows {
                let rowBins = bins + Int(row) * featureCount
                let pair = SIMD2<Double>(gradients[Int(row)])
                for feature in group {
                    let bin = offsets[feature] + Int(rowBins[feature])
                    sums[bin] += pair
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
}
