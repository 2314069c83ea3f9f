/// How likely a person is to look at each position of a result list, relative to the first: what clicks must
/// be corrected for, since people click what is on top.
///
/// Estimated from the logs by `rerank train` (regression EM, see `PositionBiasEstimator`) and stored in the
/// model file.
public struct PositionBias: Sendable, Codable, Equatable {
    /// Per absolute 0-based position, the probability of being examined relative to position 0 (which is 1).
    /// Positions past the end share the last value.
    public var propensities: [Double]
    /// Shown items per position that the estimate saw.
    public var observations: [Int]
    /// The largest inverse-propensity weight given to a click (clipping keeps rare deep clicks from dominating).
    public var maxWeight: Double

    public init(propensities: [Double], observations: [Int], maxWeight: Double = 10) {
        self.propensities = propensities
        self.observations = observations
        self.maxWeight = maxWeight
    }

    /// The relative examination probability of an absolute position.
    public func propensity(at position: Int) -> Double {
        guard !propensities.isEmpty else { return 1 }
        return propensities[min(max(0, position), propensities.count - 1)]
    }

    /// The weight of a click at `position`: the inverse of its propensity, at most ``maxWeight``.
    public func weight(at position: Int) -> Double {
        min(maxWeight, 1 / max(propensity(at: position), 1e-9))
    }
}
