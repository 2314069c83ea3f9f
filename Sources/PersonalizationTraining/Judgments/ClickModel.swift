import Features

/// A click model: how the clicks of many searches become one attractiveness per (query, item) pair.
///
/// Both models weigh a pair's credit (``ClickLog/Search/credits``) against its exposure, and differ in what
/// counts:
/// - ``sdbn``, the simplified dynamic Bayesian network (Chuklin, Markov and de Rijke, *Click Models for Web
///   Search*, 2015, section 3.8): people scan a list from the top and stop after their last click, so an item
///   shown at or above a search's last interaction was examined, and one below it may not have been. Only
///   those examined impressions count; searches without any interaction examined nothing. The score is
///   credit ÷ examined impressions: the chance an examined item is clicked (with gains above 1, its expected
///   credit).
/// - ``coec(_:)``, clicks over expected clicks (Zhang and Jones, 2007; the model OpenSearch's Search Relevance
///   Workbench computes from UBI logs): every impression counts, and what an item earns is compared with what an
///   average item earns at the positions it was shown. The score is credit ÷ expected credit: 1 is average for
///   those positions, 2 twice as much.
public enum ClickModel: Sendable, Equatable {
    case sdbn
    case coec(ExpectedCredit)

    /// Where COEC's expectation at each position comes from.
    public enum ExpectedCredit: Sendable, Equatable {
        /// Each absolute position's credit per impression over the whole log (what SRW uses). Positions near the
        /// top also hold the engine's best results, so this expects too much there.
        case positionCTR
        /// Position-bias propensities (``PositionBiasEstimator``), scaled so that the log's expected credit equals
        /// its credit: they separate looking from liking.
        case propensities(PositionBias)
    }

    /// `sdbn` or `coec`.
    public var name: String {
        switch self {
        case .sdbn: "sdbn"
        case .coec: "coec"
        }
    }

    /// The evidence of every (normalized query, item) pair the log has at least one counted impression of.
    public func evidence(_ clicks: ClickLog) -> [QueryItem: ClickEvidence] {
        switch self {
        case .sdbn: Self.examinedEvidence(clicks)
        case .coec(let expected): Self.expectedEvidence(clicks, perPosition: Self.expectation(expected, clicks))
        }
    }

    /// SDBN: impressions at or above each search's last interaction, with their credit.
    private static func examinedEvidence(_ clicks: ClickLog) -> [QueryItem: ClickEvidence] {
        var evidence: [QueryItem: ClickEvidence] = [:]
        for search in clicks.searches {
            guard let last = search.lastInteraction else { continue }
            for index in 0...last {
                evidence[QueryItem(query: search.query, item: search.items[index]), default: .init()]
                    .add(credit: search.credits[index], exposure: 1)
            }
        }
        return evidence
    }

    /// COEC: every impression, with its credit and the credit expected at its position.
    private static func expectedEvidence(_ clicks: ClickLog, perPosition expected: (Int) -> Double) -> [QueryItem: ClickEvidence] {
        var evidence: [QueryItem: ClickEvidence] = [:]
        for search in clicks.searches {
            for (index, item) in search.items.enumerated() {
                evidence[QueryItem(query: search.query, item: item), default: .init()]
                    .add(credit: search.credits[index], exposure: expected(search.positions[index]))
            }
        }
        return evidence
    }

    /// The credit an average item earns per impression at each absolute position.
    private static func expectation(_ source: ExpectedCredit, _ clicks: ClickLog) -> (Int) -> Double {
        switch source {
        case .positionCTR:
            var shown: [Int: Int] = [:]
            var credit: [Int: Double] = [:]
            for search in clicks.searches {
                for (index, position) in search.positions.enumerated() {
                    shown[position, default: 0] += 1
                    credit[position, default: 0] += search.credits[index]
                }
            }
            let rates = Dictionary(uniqueKeysWithValues: shown.map { ($0.key, credit[$0.key, default: 0] / Double($0.value)) })
            return { rates[$0] ?? 0 }
        case .propensities(let bias):
            var credit = 0.0
            var propensity = 0.0
            for search in clicks.searches {
                credit += search.credits.reduce(0, +)
                propensity += search.positions.reduce(0) { $0 + bias.propensity(at: $1) }
            }
            let scale = propensity > 0 ? credit / propensity : 0
            return { bias.propensity(at: $0) * scale }
        }
    }
}

/// A normalized query and an item shown for it.
public struct QueryItem: Hashable, Sendable {
    public var query: String
    public var item: String

    public init(query: String, item: String) {
        self.query = query
        self.item = item
    }
}

/// What a click model counted for one (query, item) pair.
public struct ClickEvidence: Sendable, Equatable {
    /// Impressions that count as evidence: examined ones for SDBN, all for COEC.
    public var impressions = 0
    /// The credit those impressions earned.
    public var credit = 0.0
    /// What the credit is measured against: examined impressions for SDBN, expected credit for COEC.
    public var exposure = 0.0

    public init(impressions: Int = 0, credit: Double = 0, exposure: Double = 0) {
        self.impressions = impressions
        self.credit = credit
        self.exposure = exposure
    }

    mutating func add(credit: Double, exposure: Double) {
        impressions += 1
        self.credit += credit
        self.exposure += exposure
    }

    /// Credit ÷ exposure with `strength` pseudo-impressions of an average pair added to both (`prior`: the mean
    /// credit and exposure per impression over all pairs), so that little evidence stays near the average: one
    /// click in one examined impression is not a perfect score.
    public func score(prior: ClickEvidence, strength: Double) -> Double {
        let denominator = exposure + strength * prior.exposure
        guard denominator > 0 else { return 0 }
        return (credit + strength * prior.credit) / denominator
    }

    /// The mean credit and exposure per impression of `pairs` (impressions 1), the prior of ``score(prior:strength:)``.
    public static func average<Pairs: Sequence>(of pairs: Pairs) -> ClickEvidence where Pairs.Element == ClickEvidence {
        var total = ClickEvidence()
        for pair in pairs {
            total.impressions += pair.impressions
            total.credit += pair.credit
            total.exposure += pair.exposure
        }
        let count = Double(max(1, total.impressions))
        return ClickEvidence(impressions: 1, credit: total.credit / count, exposure: total.exposure / count)
    }
}
