import Features
import Foundation

/// Estimates position bias from logged clicks alone, without randomizing what is shown: the regression EM of
/// Wang et al. (WSDM 2018), with a logistic model of relevance.
///
/// The position-based click model says a shown item is clicked when it is examined, with probability `θ[k]`
/// for its absolute position `k`, and found relevant, with probability `γ(x)` from its features `x`, the two
/// independent. Clicks alone cannot tell the two apart for one item at one position; they can across items shown
/// at several positions, because `γ` is one function of the features everywhere. Each round, the E-step gives
/// every unclicked row the posterior probabilities that it was examined and that it was relevant; the M-step
/// sets `θ[k]` to the mean examination posterior at `k` and refits `γ` (one Newton step of a logistic
/// regression on the relevance posteriors). The engine's rank is left out of `x`: where the logged order is the
/// engine's, it is the position itself. Where the engine's rank also carries relevance that no other feature
/// does, some of that relevance is taken for position bias (the estimate is steeper than the truth).
///
/// Every interaction counts as a click. Training keeps only searches with at least one, so absolute click
/// rates are inflated; the estimate is reported relative to position 0.
///
/// Where the logs hold explored searches (`rerank.exploration`), their randomized adjacent swaps give an estimate
/// that needs no model of relevance (``SwapPropensities``). It is preferred for the leading positions whose pairs
/// hold at least ``minimumSwapClicks`` clicks both swapped and not; deeper positions keep the regression EM's
/// estimate, scaled to join it, and ``PositionBias/randomized`` records where the swaps reach. Logs without
/// explored searches get the regression EM's estimate alone.
public struct PositionBiasEstimator: Sendable {
    /// Positions estimated; deeper ones share the last estimate.
    public var positions = 50
    /// EM rounds.
    public var rounds = 30
    /// Rows used at most (whole searches, evenly spaced through the log).
    public var maxRows = 200_000
    /// The largest inverse-propensity weight of the result (``PositionBias/maxWeight``).
    public var maxWeight = 10.0
    /// The clicks a pair of adjacent positions needs, among the explored searches that swapped it and among
    /// those that did not, before its randomized estimate replaces the regression EM's.
    public var minimumSwapClicks = 100

    public init() {}

    /// The estimate from `set`'s rows, or nil when no position past the first has both shown items and clicks.
    public func estimate(_ set: TrainingSet) -> PositionBias? {
        let sampleStride = sampleStride(rows: set.labels.count)
        return SwapPropensities(set, limit: positions, minimumClicks: minimumSwapClicks).combined(
            with: regressionEM(set.subset(Swift.stride(from: 0, to: set.groupCount, by: sampleStride))), maxWeight: maxWeight)
    }

    /// The estimate from what a replay gathered search by search: the same as from a `TrainingSet` of those searches.
    func estimate(_ evidence: PositionBiasEvidence) -> PositionBias? {
        evidence.swaps.combined(with: regressionEM(evidence.sample), maxWeight: maxWeight)
    }

    /// Every how many searches one is sampled for the regression EM, so that about ``maxRows`` rows of `rows`
    /// are read.
    public func sampleStride(rows: Int) -> Int { max(1, (rows + maxRows - 1) / maxRows) }

    /// The regression EM's estimate alone, from every row of `sample`.
    func regressionEM(_ sample: TrainingSet) -> PositionBias? {
        let columns = FeatureSchema.definitions.indices.filter { $0 != Feature.originalRankLog.rawValue }
        let sample = Sample(sample, columns: columns, positions: positions)
        guard sample.count > 0, sample.hasClicksBeyondFirst else { return nil }
        var examination = (0..<positions).map { 1 / Double($0 + 1) }
        var relevance = LogisticModel(width: sample.width)
        relevance.intercept = logit(min(0.95, max(0.01, sample.clickRate * 2)))
        var examinedSums = [Double](repeating: 0, count: positions)
        var relevantTargets = [Double](repeating: 0, count: sample.count)
        for _ in 0..<rounds {
            for index in examinedSums.indices { examinedSums[index] = 0 }
            for row in 0..<sample.count {
                let position = sample.positions[row]
                if sample.clicked[row] {
                    examinedSums[position] += 1
                    relevantTargets[row] = 1
                    continue
                }
                let seen = examination[position]
                let relevant = relevance.probability(sample.features(row))
                let unclicked = max(1e-12, 1 - seen * relevant)
                examinedSums[position] += seen * (1 - relevant) / unclicked
                relevantTargets[row] = (1 - seen) * relevant / unclicked
            }
            for position in 0..<positions where sample.shownAt[position] > 0 {
                examination[position] = min(1, max(1e-4, examinedSums[position] / Double(sample.shownAt[position])))
            }
            relevance.newtonStep(sample, targets: relevantTargets)
        }
        let lastShown = sample.shownAt.lastIndex { $0 > 0 } ?? 0
        let first = examination[0]
        var relative = (0...lastShown).map { min(1, examination[$0] / first) }
        for position in 1..<relative.count where sample.shownAt[position] == 0 { relative[position] = relative[position - 1] }
        return PositionBias(propensities: relative, observations: Array(sample.shownAt[0...lastShown]), maxWeight: maxWeight)
    }

    private func logit(_ p: Double) -> Double { log(p / (1 - p)) }
}

/// What the position-bias estimate (``PositionBiasEstimator``) reads of replayed searches, gathered one search at a
/// time as the replay makes them, so that none is kept: every search's explored swaps and shown positions, and the
/// rows of the searches at every ``PositionBiasEstimator/sampleStride(rows:)``th index from the first.
struct PositionBiasEvidence {
    private(set) var swaps: SwapPropensities
    private(set) var sample: TrainingSet
    /// Every how many searches one goes to ``sample``.
    let stride: Int

    /// - Parameter rows: the rows of the searches to be added, which the sample's stride is chosen for.
    init(_ estimator: PositionBiasEstimator, rows: Int, featureNames: [String]) {
        swaps = SwapPropensities(limit: estimator.positions, minimumClicks: estimator.minimumSwapClicks)
        sample = TrainingSet(featureNames: featureNames)
        stride = estimator.sampleStride(rows: rows)
    }

    /// Adds one search, whose record is `group`.
    mutating func add(_ search: ReplayedSearch, group: SearchGroup) {
        swaps.add(group, labels: search.labels[...])
        if search.index % stride == 0 { sample.append(rows: search.rows, labels: search.labels, group: group) }
    }
}

/// The rows the estimate reads: standardized features without the engine's rank, absolute positions, clicks.
private struct Sample {
    let width: Int
    private(set) var values: [Double] = []
    private(set) var positions: [Int] = []
    private(set) var clicked: [Bool] = []
    private(set) var shownAt: [Int]

    var count: Int { positions.count }
    var clickRate: Double { Double(clicked.filter { $0 }.count) / Double(max(1, count)) }
    var hasClicksBeyondFirst: Bool { zip(positions, clicked).contains { $0 > 0 && $1 } }

    init(_ set: TrainingSet, columns: [Int], positions limit: Int) {
        shownAt = [Int](repeating: 0, count: limit)
        let fullWidth = set.featureNames.count
        var rows: [Int] = []
        for group in 0..<set.groupCount {
            let search = set.groups[group]
            for row in set.groupBoundaries[group]..<set.groupBoundaries[group + 1] {
                let position = search.position(ofShown: row - set.groupBoundaries[group])
                guard position < limit else { continue }
                rows.append(row)
                positions.append(position)
                clicked.append(set.labels[row] > 0)
                shownAt[position] += 1
            }
        }
        // Each column standardized to mean 0 and standard deviation 1, so one Newton step is well conditioned;
        // constant columns carry nothing and are left out.
        var scales: [(column: Int, mean: Double, deviation: Double)] = []
        for column in columns {
            var sum = 0.0
            var squares = 0.0
            for row in rows {
                let value = Double(set.rows[row * fullWidth + column])
                sum += value
                squares += value * value
            }
            let mean = sum / Double(max(1, rows.count))
            let deviation = max(0, squares / Double(max(1, rows.count)) - mean * mean).squareRoot()
            if deviation > 1e-9 { scales.append((column, mean, deviation)) }
        }
        width = scales.count
        values.reserveCapacity(rows.count * width)
        for row in rows {
            for scale in scales { values.append((Double(set.rows[row * fullWidth + scale.column]) - scale.mean) / scale.deviation) }
        }
    }

    func features(_ row: Int) -> ArraySlice<Double> { values[(row * width)..<((row + 1) * width)] }
}

/// `p(x) = σ(intercept + w·x)`, fitted to soft targets by Newton steps with a small ridge.
private struct LogisticModel {
    var intercept = 0.0
    var weights: [Double]

    init(width: Int) { weights = [Double](repeating: 0, count: width) }

    func probability(_ x: ArraySlice<Double>) -> Double {
        var z = intercept
        for (weight, value) in zip(weights, x) { z += weight * value }
        return 1 / (1 + exp(-z))
    }

    /// One Newton step of the cross-entropy to `targets` (one per row), the intercept as the last coordinate.
    mutating func newtonStep(_ sample: Sample, targets: [Double]) {
        let size = weights.count + 1
        var gradient = [Double](repeating: 0, count: size)
        var hessian = [Double](repeating: 0, count: size * size)
        var x = [Double](repeating: 1, count: size)
        for row in 0..<sample.count {
            for (index, value) in sample.features(row).enumerated() { x[index] = value }
            let p = probability(sample.features(row))
            let residual = p - targets[row]
            let curvature = max(1e-6, p * (1 - p))
            for i in 0..<size {
                gradient[i] += residual * x[i]
                let scaled = curvature * x[i]
                for j in 0...i { hessian[i * size + j] += scaled * x[j] }
            }
        }
        let ridge = 1e-3 * Double(max(1, sample.count))
        for i in 0..<size {
            hessian[i * size + i] += ridge
            for j in 0..<i { hessian[j * size + i] = hessian[i * size + j] }
        }
        guard let step = Self.solve(hessian, gradient, size: size) else { return }
        for index in weights.indices { weights[index] -= step[index] }
        intercept -= step[size - 1]
    }

    /// `A⁻¹b` for a symmetric positive-definite `A` (Cholesky), or nil when `A` is not.
    static func solve(_ a: [Double], _ b: [Double], size: Int) -> [Double]? {
        var lower = [Double](repeating: 0, count: size * size)
        for i in 0..<size {
            for j in 0...i {
                var sum = a[i * size + j]
                for k in 0..<j { sum -= lower[i * size + k] * lower[j * size + k] }
                if i == j {
                    guard sum > 0 else { return nil }
                    lower[i * size + i] = sum.squareRoot()
                } else {
                    lower[i * size + j] = sum / lower[j * size + j]
                }
            }
        }
        var y = b
        for i in 0..<size {
            for k in 0..<i { y[i] -= lower[i * size + k] * y[k] }
            y[i] /= lower[i * size + i]
        }
        for i in stride(from: size - 1, through: 0, by: -1) {
            for k in (i + 1)..<size { y[i] -= lower[k * size + i] * y[k] }
            y[i] /= lower[i * size + i]
        }
        return y
    }
}
