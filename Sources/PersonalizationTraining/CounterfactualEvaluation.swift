import Features
import LTRTraining

/// What a ranking would earn from the logged clicks once they are corrected for position bias: each click counts
/// with the inverse propensity of the position it was logged at (clipped, ``PositionBias/weight(at:)``) and is
/// credited at the rank the new ranking gives its item, discounted as in DCG@10 (the counterfactual ranking
/// metric of Joachims, Swaminathan and Schnabel, WSDM 2017). A click the new ranking moves out of the top 10
/// earns nothing; one it moves up earns more.
///
/// `ips` is the mean per search (unbiased under the position-based click model, up to the clipping); `snips`
/// divides by the mean click weight instead of the click count (self-normalized: less variance, a little bias).
public struct CounterfactualEstimate: Sendable {
    public var ips: (mean: Double, low: Double, high: Double)
    public var snips: (mean: Double, low: Double, high: Double)

    static let cutoff = 10

    /// Estimates `score`'s ranking (higher first, ties in logged order) over `set`'s searches, with 95% percentile
    /// bootstrap intervals (1,000 resamples of the searches).
    init(_ set: TrainingSet, bias: PositionBias, seed: UInt64, score: (_ group: Int, _ row: Int) -> Double) {
        let (credits, weights, _) = Self.credits(set, bias: bias, score: score)
        func estimates(_ indices: [Int]) -> (ips: Double, snips: Double) {
            var credit = 0.0
            var weight = 0.0
            var count = 0
            for index in indices {
                credit += credits[index]
                weight += weights[index]
                count += 1
            }
            return (credit / Double(max(1, count)), weight > 0 ? credit / weight : 0)
        }
        let point = estimates(Array(credits.indices))
        let resampled = PercentileBootstrap.resamples(of: credits.count, seed: seed &+ 29, estimates)
        let ips = PercentileBootstrap.interval(resampled.map(\.ips)) ?? (point.ips, point.ips)
        let snips = PercentileBootstrap.interval(resampled.map(\.snips)) ?? (point.snips, point.snips)
        self.ips = (point.ips, ips.low, ips.high)
        self.snips = (point.snips, snips.low, snips.high)
    }

    /// Per search, the discounted weighted clicks the ranking earns and the clicks' total weight; and the IPS
    /// point estimate, their mean credit.
    static func credits(
        _ set: TrainingSet, bias: PositionBias, score: (_ group: Int, _ row: Int) -> Double
    ) -> (credits: [Double], weights: [Double], ips: Double) {
        var credits: [Double] = []
        var weights: [Double] = []
        for group in 0..<set.groupCount {
            let rows = set.groupBoundaries[group]..<set.groupBoundaries[group + 1]
            // A click's weight is its label: DCG@10 with linear gain credits it at the rank the ranking gives it.
            let clickWeights = (0..<rows.count).map { row in
                set.labels[rows.lowerBound + row] > 0 ? bias.weight(at: set.groups[group].position(ofShown: row)) : 0
            }
            let order = RankingMetrics.ranking(scores: (0..<rows.count).map { score(group, $0) })
            credits.append(RankingMetrics.dcg(rankedLabels: order.map { clickWeights[$0] }, cutoff: cutoff, gain: .linear))
            weights.append(clickWeights.reduce(0, +))
        }
        return (credits, weights, credits.reduce(0, +) / Double(max(1, credits.count)))
    }
}
