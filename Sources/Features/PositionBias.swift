/// How likely a person is to look at each position of a result list, relative to the first: what clicks must
/// be corrected for, since people click what is on top.
///
/// Estimated from the logs by `rerank train` (regression EM, and randomized adjacent swaps where explored searches
/// hold enough of them; see `PositionBiasEstimator`) and stored in the model file.
public struct PositionBias: Sendable, Codable, Equatable {
    /// Where the leading propensities came from randomized adjacent swaps.
    public struct Randomized: Sendable, Codable, Equatable {
        /// Positions `1...through` are the swaps' estimate; deeper ones are regression EM's, scaled to join it.
        public var through: Int
        /// Explored searches with a swap that the estimate read.
        public var searches: Int
        /// Regression EM's propensities at positions `0...through` on the same searches, for comparison; nil when
        /// it gave none.
        public var regressionEM: [Double]?

        public init(through: Int, searches: Int, regressionEM: [Double]?) {
            self.through = through
            self.searches = searches
            self.regressionEM = regressionEM
        }
    }

    /// Per absolute 0-based position, the probability of being examined relative to position 0 (which is 1).
    /// Positions past the end share the last value.
    public var propensities: [Double]
    /// Shown items per position that the estimate saw.
    public var observations: [Int]
    /// The largest inverse-propensity weight given to a click (clipping keeps rare deep clicks from dominating).
    public var maxWeight: Double
    /// Set when the leading propensities come from randomized swaps; nil when all are regression EM's.
    public var randomized: Randomized?

    public init(propensities: [Double], observations: [Int], maxWeight: Double = 10, randomized: Randomized? = nil) {
        self.propensities = propensities
        self.observations = observations
        self.maxWeight = maxWeight
        self.randomized = randomized
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
