import Ranking

extension ServerConfiguration {
    /// Reads an `exploration` object, `rerank.exploration` or a variant's: keys `share` (0…1, default 0: off),
    /// `max_move` (at least 1, default 2), `depth` (at least 2, default 10) and `cold_exposure` (default true); keys
    /// left out take their defaults.
    static func exploration(_ reader: ConfigReader) throws(ConfigurationError) -> Exploration {
        try reader.requireKnownKeys(["share", "max_move", "depth", "cold_exposure"])
        var exploration = Exploration()
        exploration.share = try reader.double("share", in: Exploration.shares) ?? exploration.share
        exploration.maxMove = try reader.int("max_move", in: Exploration.maxMoves) ?? exploration.maxMove
        exploration.depth = try reader.int("depth", in: Exploration.depths) ?? exploration.depth
        exploration.coldExposure = try reader.bool("cold_exposure") ?? exploration.coldExposure
        return exploration
    }

    /// Fails when settings made in code (not read from a file, whose keys are checked as they are read) are out of
    /// range.
    static func check(_ exploration: Exploration, key: String) throws(ConfigurationError) {
        guard Exploration.shares.contains(exploration.share) else {
            throw ConfigurationError.invalidValue(
                "\(key).share must be a share of searches in 0...1 (0 turns exploration off), not \(exploration.share)")
        }
        guard Exploration.maxMoves.contains(exploration.maxMove) else {
            throw ConfigurationError.invalidValue(
                "\(key).max_move must be in \(Exploration.maxMoves.lowerBound)...\(Exploration.maxMoves.upperBound) positions (how far a hit may move), not \(exploration.maxMove)")
        }
        guard Exploration.depths.contains(exploration.depth) else {
            throw ConfigurationError.invalidValue(
                "\(key).depth must be in \(Exploration.depths.lowerBound)...\(Exploration.depths.upperBound) positions (a pair needs two), not \(exploration.depth)")
        }
    }

    /// Checks `rerank.exploration` and every variant's.
    func checkExplorations() throws(ConfigurationError) {
        try Self.check(rerank.exploration, key: "rerank.exploration")
        for (index, experiment) in experiments.enumerated() {
            for (variantIndex, variant) in experiment.variants.enumerated() {
                guard case .on(let settings) = variant.treatment, let exploration = settings.exploration else { continue }
                try Self.check(exploration, key: "experiments[\(index)].variants[\(variantIndex)].exploration")
            }
        }
    }
}

extension Exploration {
    /// The shares a configuration may set.
    static let shares: ClosedRange<Double> = 0...1
    /// The `max_move` values a configuration may set.
    static let maxMoves = 1...1_000
    /// The `depth` values a configuration may set.
    static let depths = 2...10_000
}
