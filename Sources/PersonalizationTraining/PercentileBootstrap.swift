import RerankCore

/// The 95% percentile bootstrap every interval in an evaluation uses: a statistic over 1,000 resamples, drawn with
/// replacement, of the held-out searches.
enum PercentileBootstrap {
    static let resampleCount = 1000

    /// `statistic` of each resample of `count` items, given as the item indices drawn (SplitMix64 from `seed`);
    /// none when there are no items.
    static func resamples<Statistic>(of count: Int, seed: UInt64, _ statistic: ([Int]) -> Statistic) -> [Statistic] {
        guard count > 0 else { return [] }
        var random = SplitMix64(seed: seed)
        return (0..<resampleCount).map { _ in statistic((0..<count).map { _ in Int(random.next() % UInt64(count)) }) }
    }

    /// The 2.5th and 97.5th percentiles of resampled values; nil without any.
    static func interval(_ values: [Double]) -> (low: Double, high: Double)? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return (sorted[sorted.count * 25 / 1000], sorted[sorted.count * 974 / 1000])
    }

    /// The mean of per-search `values` (e.g. paired differences of two rankings) and its 95% interval.
    static func mean(of values: [Double], seed: UInt64) -> (mean: Double, low: Double, high: Double) {
        let mean = values.reduce(0, +) / Double(max(1, values.count))
        let means = resamples(of: values.count, seed: seed) { indices in
            indices.reduce(0) { $0 + values[$1] } / Double(values.count)
        }
        let interval = interval(means) ?? (mean, mean)
        return (mean, interval.low, interval.high)
    }
}
