import Features
import RerankCore

/// Position bias from the randomized adjacent swaps of explored searches (``ExplorationRecord``): intervention
/// harvesting, after the swap experiments of Joachims, Swaminathan and Schnabel (WSDM 2017).
///
/// An explored search exchanged the hits the ranking put at `k` and `k + 1` for one pair `k` drawn uniformly from
/// its swappable pairs. Under the position-based click model a hit at position `p` is clicked with probability
/// `θ[p]·r`, its examination times its relevance. Across the explored searches where pair `k` was swappable, the
/// searches that swapped it show the ranking's `k`th hit at `k + 1` and its `(k + 1)`th at `k`; those that swapped
/// a pair touching neither position show them where the ranking put them. Since the draw ignores the hits, both
/// groups see the same relevances, so the clicks at `k + 1` (the `k`th hit when swapped, the `(k + 1)`th when not)
/// over the clicks at `k` (the other way round) estimate `θ[k + 1] / θ[k]`, each search weighted by the inverse of
/// the probability of its group. The ratios chain from position 0.
///
/// Searches without an interaction add no click to either side, so reading only the searches training keeps (those
/// with one) loses nothing.
struct SwapPropensities {
    /// Explored searches that swapped a pair (with an interaction: training keeps no others).
    private(set) var searches = 0
    /// Shown items per absolute position below the limit.
    private(set) var shownAt: [Int]
    /// The clicks a pair needs among the searches that swapped it, and among those that did not, before its ratio
    /// is used.
    let minimumClicks: Int
    /// Per pair `k` (positions `k` and `k + 1`): the weighted clicks at `k + 1` and at `k`, and the clicks of the
    /// searches that swapped it and of those that did not.
    private var atLower: [Double]
    private var atUpper: [Double]
    private var swappedClicks: [Int]
    private var unswappedClicks: [Int]

    /// No search read yet; swaps at positions below `limit` will count.
    init(limit: Int, minimumClicks: Int) {
        self.minimumClicks = minimumClicks
        shownAt = [Int](repeating: 0, count: limit)
        let pairs = max(0, limit - 1)
        atLower = [Double](repeating: 0, count: pairs)
        atUpper = [Double](repeating: 0, count: pairs)
        swappedClicks = [Int](repeating: 0, count: pairs)
        unswappedClicks = [Int](repeating: 0, count: pairs)
    }

    /// Reads the swaps of every search of `set`.
    init(_ set: TrainingSet, limit: Int, minimumClicks: Int) {
        self.init(limit: limit, minimumClicks: minimumClicks)
        for group in 0..<set.groupCount {
            add(set.groups[group], labels: set.labels(ofGroup: group))
        }
    }

    /// Reads one search: its shown positions, and its swap when it was explored. Searches are read one at a time, as
    /// a replay makes them, so that none needs to be kept.
    mutating func add(_ search: SearchGroup, labels: ArraySlice<Float>) {
        let start = labels.startIndex
        let pairs = atLower.count
        let shown = search.firstPosition..<(search.firstPosition + search.itemCount)
        for position in shown where position < shownAt.count { shownAt[position] += 1 }
        guard let exploration = search.exploration, let swap = exploration.swap else { return }
        searches += 1
        let swappable = exploration.swappablePairs
        let eligible = Set(swappable)
        for k in swappable where shown.contains(k) && shown.contains(k + 1) && k < pairs {
            let upper = labels[start + k - shown.lowerBound] > 0 ? 1 : 0
            let lower = labels[start + k + 1 - shown.lowerBound] > 0 ? 1 : 0
            let weight: Double
            if swap == k {
                weight = Double(swappable.count)
                swappedClicks[k] += upper + lower
            } else {
                // Pairs whose draw would have moved a hit at k or k + 1 leave the search out of both groups.
                let touching = [k - 1, k, k + 1].filter(eligible.contains).count
                guard abs(swap - k) >= 2, swappable.count > touching else { continue }
                weight = Double(swappable.count) / Double(swappable.count - touching)
                unswappedClicks[k] += upper + lower
            }
            atLower[k] += weight * Double(lower)
            atUpper[k] += weight * Double(upper)
        }
    }

    /// `θ[k + 1] / θ[k]` for `k` in `0..<ratios.count`: the leading pairs whose swapped and unswapped searches
    /// both hold at least the minimum clicks.
    var ratios: [Double] {
        var ratios: [Double] = []
        for k in atLower.indices {
            guard swappedClicks[k] >= minimumClicks, unswappedClicks[k] >= minimumClicks, atUpper[k] > 0 else { break }
            ratios.append(atLower[k] / atUpper[k])
        }
        return ratios
    }

    /// The propensities of positions `0...ratios.count`, relative to position 0, each at most 1.
    var propensities: [Double] {
        var propensities = [1.0]
        for ratio in ratios { propensities.append(min(1, max(1e-4, propensities[propensities.count - 1] * ratio))) }
        return propensities
    }

    /// The swap estimate where it reaches, `regression`'s beyond (scaled to join it); `regression` itself when the
    /// swaps reach no position.
    func combined(with regression: PositionBias?, maxWeight: Double) -> PositionBias? {
        let swapped = propensities
        let through = swapped.count - 1
        guard through > 0 else { return regression }
        var propensities = swapped
        if let regression, regression.propensities.count > through + 1 {
            let anchor = max(1e-9, regression.propensity(at: through))
            for position in (through + 1)..<regression.propensities.count {
                propensities.append(min(1, max(1e-4, swapped[through] * regression.propensities[position] / anchor)))
            }
        }
        return PositionBias(
            propensities: propensities, observations: Array(shownAt.prefix(propensities.count)), maxWeight: maxWeight,
            randomized: .init(
                through: through, searches: searches,
                regressionEM: regression.map { bias in (0...through).map { bias.propensity(at: $0) } }))
    }
}

extension PositionBias {
    /// How the propensities were estimated, for summaries: `regression EM`, or e.g. `randomized adjacent swaps
    /// through position 4 (from 812 explored searches), regression EM beyond` (1-based positions).
    public var method: String {
        guard let randomized else { return "regression EM" }
        let beyond = propensities.count > randomized.through + 1 ? ", regression EM beyond" : ""
        return "randomized adjacent swaps through position \(randomized.through + 1) (from \(randomized.searches) explored searches)\(beyond)"
    }
}
