import LTRModel

extension BinnedDatasetBuilder {
    /// Rows binned together by one thread while the spilled rows are read back.
    static let rowsPerPiece = 4096

    /// Reads the spilled rows once for the sampled rows' non-zero values and finds each feature's bins.
    func findMappers(featureCount: Int) throws -> [FeatureBinMapper] {
        let sample = reservoir.rows
        var nonZero = [[Float]](repeating: [], count: featureCount)
        // A feature given twice in one row keeps its last value, as in a dense matrix: entries are read
        // backwards and a feature already met in the row is skipped.
        var seenInRow = [Int](repeating: -1, count: featureCount)
        var next = 0
        var firstRow = 0
        try spill.rewind()
        while next < sample.count, let block = try spill.next() {
            while next < sample.count && sample[next] < firstRow + block.rowCount {
                let row = sample[next] - firstRow
                for entry in block.entries(of: row).reversed() {
                    let feature = Int(block.columns[entry])
                    guard seenInRow[feature] != sample[next] else { continue }
                    seenInRow[feature] = sample[next]
                    if FeatureBinMapper.isNonZero(block.values[entry]) { nonZero[feature].append(block.values[entry]) }
                }
                next += 1
            }
            firstRow += block.rowCount
        }
        return FeatureBinMapper.mappers(
            featureCount: featureCount, maxBin: parameters.maxBin, minDataInBin: parameters.minDataInBin,
            threads: threads
        ) { nonZero[$0] }
    }

    /// Reads the spilled rows back a block at a time and bins them, pieces of a block on several threads.
    func bin(with mappers: [FeatureBinMapper], layout: BinnedDataset.Layout) throws -> [UInt8] {
        let rows = rowCount
        let features = mappers.count
        let (rowStride, featureStride) = layout == .rowMajor ? (features, 1) : (1, rows)
        var bins = [UInt8](repeating: 0, count: rows * features)
        var firstRow = 0
        try spill.rewind()
        try BinLookup.with(mappers) { lookup in
            try bins.withUnsafeMutableBufferPointer { output in
                let target = UncheckedBox(output)
                while let block = try spill.next() {
                    let pieces = Parallel.ranges(block.rowCount, pieces: max(1, block.rowCount / Self.rowsPerPiece))
                    let blockStart = firstRow
                    Parallel.forEach(pieces.count, threads: threads) { piece in
                        for row in pieces[piece] {
                            let base = (blockStart + row) * rowStride
                            for feature in 0..<features {
                                target.value[base + feature * featureStride] = lookup.zeroBin(feature)
                            }
                            for entry in block.entries(of: row) {
                                let feature = Int(block.columns[entry])
                                target.value[base + feature * featureStride] = lookup.bin(
                                    block.values[entry], feature: feature)
                            }
                        }
                    }
                    firstRow += block.rowCount
                }
            }
        }
        return bins
    }
}
