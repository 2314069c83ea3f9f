import Features

/// What each row's inverse-propensity weight depends on, one byte per row: whether the row was interacted with,
/// and the absolute position it was shown at. Training and the export record their training rows' as the replay
/// makes them, and weigh them once the position bias is estimated from the whole replay, without keeping the
/// searches.
///
/// Positions from 254 on share one code: propensities are estimated for far fewer
/// (``PositionBiasEstimator/positions``), and deeper positions share the last.
struct ClickPositions: Sendable {
    /// Per row: 0 without an interaction, else its absolute position + 1, at most 255.
    private var codes: [UInt8] = []

    /// None yet.
    init() {}

    /// Every row of `set`, in order.
    init(_ set: TrainingSet) {
        for group in 0..<set.groupCount {
            append(set.groups[group], labels: set.labels(ofGroup: group))
        }
    }

    /// Rows recorded.
    var count: Int { codes.count }

    /// Records one search's rows.
    mutating func append(_ search: SearchGroup, labels: ArraySlice<Float>) {
        for (index, label) in labels.enumerated() {
            codes.append(label > 0 ? UInt8(clamping: search.position(ofShown: index) + 1) : 0)
        }
    }

    /// The weights of the rows in `rows`: `bias`'s inverse propensity at the position of an interacted row, 1 for
    /// the others (the pair weights of unbiased LambdaMART).
    func weights(_ bias: PositionBias, rows: Range<Int>? = nil) -> [Float] {
        codes[rows ?? codes.indices].map { $0 == 0 ? 1 : Float(bias.weight(at: Int($0) - 1)) }
    }
}

extension TrainingSet {
    /// Per row, the inverse-propensity weight of its click at the absolute position it was shown at (1 for rows
    /// without an interaction): the pair weights of unbiased LambdaMART.
    public func clickWeights(_ bias: PositionBias) -> [Float] {
        ClickPositions(self).weights(bias)
    }
}
