import Foundation
import RerankCore
import Testing

@testable import Features
@testable import PersonalizationTraining

/// Position bias from randomized adjacent swaps: planted propensities are recovered where the regression EM,
/// which cannot tell the ranking's relevance from position, is not; logs without them keep the EM's estimate.
@Suite struct SwapPropensityTests {
    /// Examination of absolute position `p`, planted.
    static let planted = (0..<10).map { 1 / pow(Double($0 + 1), 0.8) }

    /// Searches of 10 hits whose relevance falls with the ranking's position, clicked when examined (`planted`) and
    /// relevant. In 30% of them a rule pinned a weak hit first, so their first pair cannot be swapped: counting
    /// them for that pair would take the weak hit's few clicks for position bias. An `explored` share of the
    /// searches swap one adjacent pair drawn from the swappable ones. No feature tells relevance apart, and only
    /// searches with a click are kept, as training keeps them.
    static func loggedSet(searches: Int, explored: Double, seed: UInt64 = 11) -> TrainingSet {
        var random = SplitMix64(seed: seed)
        let width = FeatureSchema.width
        var set = TrainingSet(featureNames: FeatureSchema.names, rows: [], labels: [], groupBoundaries: [0], groups: [])
        for search in 0..<searches {
            let pinnedFirst = random.nextUnitDouble() < 0.3
            var relevance: [Double] = (0..<10).map { rank in 0.7 - 0.04 * Double(rank) }
            if pinnedFirst { relevance = [0.1] + (1..<10).map { rank in 0.6 - 0.03 * Double(rank) } }
            var exploration: ExplorationRecord?
            if random.nextUnitDouble() < explored {
                var record = ExplorationRecord(share: explored, depth: 10, blocked: pinnedFirst ? [0] : [])
                let swap = record.swappablePairs.randomElement(using: &random)!
                relevance.swapAt(swap, swap + 1)
                record.swap = swap
                exploration = record
            }
            let labels: [Float] = (0..<10).map { position in random.nextUnitDouble() < planted[position] * relevance[position] ? 1 : 0 }
            guard labels.contains(1) else { continue }
            set.rows += [Float](repeating: 0, count: 10 * width)
            set.labels += labels
            set.groupBoundaries.append(set.labels.count)
            set.groups.append(SearchGroup(LoggedImpression(
                queryID: "q\(search)", time: Double(search), userID: nil, sessionID: nil, device: .unknown,
                localTime: LocalTime(hour: 12, weekday: 3), query: "", items: (0..<10).map { "s\(search)-\($0)" },
                exploration: exploration)))
        }
        return set
    }

    @Test func swapsRecoverPlantedPropensitiesWhereRegressionEMCannot() throws {
        let set = Self.loggedSet(searches: 20_000, explored: 1)
        let bias = try #require(PositionBiasEstimator().estimate(set))
        let randomized = try #require(bias.randomized)
        #expect(randomized.through == 9, "every pair of the top 10 has enough clicks")
        #expect(randomized.searches == set.groups.filter { $0.exploration != nil }.count)
        #expect(bias.method == "randomized adjacent swaps through position 10 (from \(randomized.searches) explored searches)")
        let regression = try #require(randomized.regressionEM)
        var regressionError = 0.0
        for position in 1..<10 {
            let error = abs(bias.propensity(at: position) - Self.planted[position])
            #expect(error < 0.045, "position \(position + 1): swaps estimated \(bias.propensity(at: position)), planted \(Self.planted[position])")
            regressionError = max(regressionError, abs(regression[position] - Self.planted[position]))
        }
        #expect(regressionError > 0.1, "the regression EM takes the ranking's falling relevance for position bias")
    }

    @Test func logsWithoutExplorationKeepTheRegressionEstimate() throws {
        let set = Self.loggedSet(searches: 3_000, explored: 0)
        let bias = try #require(PositionBiasEstimator().estimate(set))
        #expect(bias == PositionBiasEstimator().regressionEM(set))
        #expect(bias.randomized == nil)
        #expect(bias.method == "regression EM")
    }

    @Test func tooFewSwappedClicksLeaveDeepPositionsToRegressionEM() throws {
        let set = Self.loggedSet(searches: 3_000, explored: 0.5)
        var estimator = PositionBiasEstimator()
        estimator.minimumSwapClicks = 60
        let bias = try #require(estimator.estimate(set))
        let randomized = try #require(bias.randomized)
        let regression = try #require(estimator.regressionEM(set))
        #expect((1..<9).contains(randomized.through), "the top pairs have enough clicks, the deepest do not")
        #expect(bias.method.hasSuffix(", regression EM beyond"))
        #expect(bias.propensities.count == regression.propensities.count)
        // Beyond the swaps, the regression EM's shape, scaled to join them.
        let scale = bias.propensity(at: randomized.through) / regression.propensity(at: randomized.through)
        for position in (randomized.through + 1)..<10 {
            #expect(abs(bias.propensity(at: position) - scale * regression.propensity(at: position)) < 1e-9)
        }
        estimator.minimumSwapClicks = 1_000_000
        #expect(estimator.estimate(set) == regression, "no pair with enough clicks: the regression EM's estimate")
    }
}
