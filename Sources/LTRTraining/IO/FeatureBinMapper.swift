import LTRModel

/// Maps one feature's raw values to histogram bins.
///
/// Bin `b` holds the values `v` with `upperBounds[b - 1] < v <= upperBounds[b]`; the last bound is +∞. As in
/// LightGBM, zero always has a bin of its own (sparse features are mostly zero), negative and positive values
/// share the remaining bins in proportion to how often they occur, and bins are cut at quantiles of the
/// (sampled) training values so each holds a similar number of rows. Missing values (NaN) are read as 0.
///
/// Bounds are `Float`s chosen between consecutive distinct values, so a tree threshold `value <= bound` in raw
/// feature space selects exactly the same rows as the bin comparison used in training.
///
/// ```swift
/// let mapper = FeatureBinMapper(values: [0, 0, 1, 2, 2, 3], maxBin: 255, minDataInBin: 1)
/// mapper.bin(for: 2)  // the bin of 2
/// ```
public struct FeatureBinMapper: Sendable, Equatable {
    /// Values up to 1e-35 in magnitude count as zero.
    static let zeroThreshold: Float = 1e-35

    /// Inclusive upper bound of each bin, increasing, the last one +∞.
    public let upperBounds: [Float]
    /// The bin that holds 0 (and missing values).
    public let zeroBin: UInt8

    /// Number of bins; a feature with one bin cannot be split on.
    public var binCount: Int { upperBounds.count }

    /// Creates a mapper from explicit bounds (increasing, the last one +∞).
    public init(upperBounds: [Float]) {
        precondition(!upperBounds.isEmpty && upperBounds.count <= 256, "1 to 256 bins")
        self.upperBounds = upperBounds
        var zero = 0
        while upperBounds[zero] < 0 { zero += 1 }
        zeroBin = UInt8(zero)
    }

    /// Finds bins for a sample of one feature's values.
    ///
    /// - Parameters:
    ///   - values: the sampled values, in any order (NaN counts as 0).
    ///   - maxBin: the largest number of bins, 2 to 256.
    ///   - minDataInBin: the fewest sampled values a bin should hold.
    public init(values: [Float], maxBin: Int, minDataInBin: Int) {
        var nonZero = values.filter(Self.isNonZero)
        nonZero.sort()
        self.init(sortedNonZero: nonZero, maxBin: maxBin, minDataInBin: minDataInBin)
    }

    /// Finds bins from the sorted non-zero values of a sample (zero always gets a bin of its own).
    init(sortedNonZero: [Float], maxBin: Int, minDataInBin: Int) {
        var distinct: [Float] = []
        var counts: [Int] = []
        for value in sortedNonZero {
            if let last = distinct.last, last == value {
                counts[counts.count - 1] += 1
            } else {
                distinct.append(value)
                counts.append(1)
            }
        }
        let negatives = distinct.firstIndex(where: { $0 > 0 }) ?? distinct.count
        let negativeCount = counts[..<negatives].reduce(0, +)
        let positiveCount = counts[negatives...].reduce(0, +)
        let nonZeroCount = negativeCount + positiveCount
        var bounds: [Float] = []
        if negatives > 0 && maxBin > 1 {
            let share = Int(Double(negativeCount) / Double(max(1, nonZeroCount)) * Double(maxBin - 1))
            bounds = Self.greedyBounds(
                Array(distinct[..<negatives]),
                Array(counts[..<negatives]),
                maxBin: max(1, share),
                minDataInBin: minDataInBin
            )
            bounds[bounds.count - 1] = -Self.zeroThreshold
        }
        let positiveBins = maxBin - 1 - bounds.count
        if negatives < distinct.count && positiveBins > 0 {
            bounds.append(Self.zeroThreshold)
            bounds += Self.greedyBounds(
                Array(distinct[negatives...]),
                Array(counts[negatives...]),
                maxBin: positiveBins,
                minDataInBin: minDataInBin
            )
        } else {
            bounds.append(.infinity)
        }
        self.init(upperBounds: bounds)
    }

    /// Finds the mappers of `featureCount` features, features in parallel.
    ///
    /// - Parameters:
    ///   - nonZeroValues: the sampled non-zero values of a feature (``isNonZero(_:)``), in any order;
    ///     called once per feature, from several threads.
    ///   - maxBin: the largest number of bins, 2 to 256.
    ///   - minDataInBin: the fewest sampled values a bin should hold.
    static func mappers(
        featureCount: Int,
        maxBin: Int,
        minDataInBin: Int,
        threads: Int,
        nonZeroValues: (Int) -> [Float]
    ) -> [FeatureBinMapper] {
        var mappers = [FeatureBinMapper?](repeating: nil, count: featureCount)
        mappers.withUnsafeMutableBufferPointer { output in
            let target = UncheckedBox(output)
            Parallel.forEach(featureCount, threads: threads) { feature in
                var values = nonZeroValues(feature)
                values.sort()
                target.value[feature] = FeatureBinMapper(sortedNonZero: values, maxBin: maxBin, minDataInBin: minDataInBin)
            }
        }
        return mappers.map { $0! }
    }

    /// Whether a value counts for the bounds: zero and missing values always fall in the zero bin.
    @inline(__always)
    static func isNonZero(_ value: Float) -> Bool {
        !value.isNaN && abs(value) > zeroThreshold
    }

    /// The bin of a raw value.
    @inline(__always)
    public func bin(for value: Float) -> UInt8 {
        upperBounds.withUnsafeBufferPointer { Self.bin(for: value, bounds: $0, zeroBin: zeroBin) }
    }

    /// The bin of a raw value given a mapper's bounds, for loops that hoist the bounds out.
    @inline(__always)
    static func bin(for value: Float, bounds: UnsafeBufferPointer<Float>, zeroBin: UInt8) -> UInt8 {
        if !isNonZero(value) { return zeroBin }
        var low = 0
        var length = bounds.count
        while length > 0 {
            let half = length >> 1
            if bounds[low + half] < value {
                low += half + 1
                length -= half + 1
            } else {
                length = half
            }
        }
        return UInt8(truncatingIfNeeded: low)
    }

    /// Upper bounds for distinct sorted values: one bin per value when there are few, else bins of similar
    /// sample counts where a value frequent enough to fill a bin alone gets its own. The last bound is +∞.
    private static func greedyBounds(_ values: [Float], _ counts: [Int], maxBin: Int, minDataInBin: Int) -> [Float] {
        var bounds: [Float] = []
        func cut(after index: Int) {
            bounds.append(midpoint(values[index], values[index + 1]))
        }
        if values.count <= maxBin {
            var inBin = 0
            for index in 0..<(values.count - 1) {
                inBin += counts[index]
                if inBin >= minDataInBin {
                    cut(after: index)
                    inBin = 0
                }
            }
            bounds.append(.infinity)
            return bounds
        }
        let total = counts.reduce(0, +)
        let binLimit = max(1, minDataInBin > 0 ? min(maxBin, total / minDataInBin) : maxBin)
        let initialMean = Double(total) / Double(binLimit)
        let isBig = counts.map { Double($0) >= initialMean }
        var restBins = binLimit - isBig.filter { $0 }.count
        var restCount = total - zip(counts, isBig).filter(\.1).map(\.0).reduce(0, +)
        var meanSize = restBins > 0 ? Double(restCount) / Double(restBins) : .infinity
        var inBin = 0
        var binsMade = 1
        for index in 0..<(values.count - 1) where binsMade < binLimit {
            if !isBig[index] { restCount -= counts[index] }
            inBin += counts[index]
            let nextIsBig = isBig[index + 1] && Double(inBin) >= max(1, meanSize * 0.5)
            guard isBig[index] || Double(inBin) >= meanSize || nextIsBig else { continue }
            cut(after: index)
            binsMade += 1
            inBin = 0
            if !isBig[index] {
                restBins -= 1
                meanSize = restBins > 0 ? Double(restCount) / Double(restBins) : .infinity
            }
        }
        bounds.append(.infinity)
        return bounds
    }

    /// A `Float` bound `m` with `low <= m < high`, as close to the middle as `Float` allows.
    private static func midpoint(_ low: Float, _ high: Float) -> Float {
        let middle = Float((Double(low) + Double(high)) / 2)
        return middle >= low && middle < high ? middle : low
    }
}
