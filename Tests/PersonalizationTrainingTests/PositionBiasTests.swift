import Foundation
import RerankCore
import Testing

@testable import Features
@testable import PersonalizationTraining

/// Position bias from clicks alone: planted examination probabilities are recovered, and training uses them.
@Suite struct PositionBiasTests {
    /// Searches of 10 items drawn from a catalog whose items have a known relevance (a feature the estimator
    /// sees), shown in random order, clicked when examined (`planted[position]`) and relevant.
    static func plantedSet(planted: [Double], searches: Int = 4000, seed: UInt64 = 7) -> TrainingSet {
        var random = SplitMix64(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        let width = FeatureSchema.width
        let relevanceColumn = Feature.itemCTR.rawValue
        var set = TrainingSet(featureNames: FeatureSchema.names, rows: [], labels: [], groupBoundaries: [0], groups: [])
        for search in 0..<searches {
            var items: [String] = []
            for position in 0..<10 {
                let item = Int(random.next() % 200)
                let relevance = 0.1 + 0.8 * Double(item) / 199
                var row = [Float](repeating: 0, count: width)
                row[relevanceColumn] = Float(relevance)
                set.rows += row
                let clicked = uniform() < planted[position] && uniform() < relevance
                set.labels.append(clicked ? 1 : 0)
                items.append("item-\(item)")
            }
            set.groupBoundaries.append(set.labels.count)
            set.groups.append(SearchGroup(LoggedImpression(
                queryID: "q\(search)", time: Double(search), userID: nil, sessionID: nil, device: .unknown,
                localTime: LocalTime(hour: 12, weekday: 3), query: "", items: items)))
        }
        return set
    }

    @Test func recoversPlantedPropensities() throws {
        let planted = (0..<10).map { 1 / pow(Double($0 + 1), 0.8) }
        let bias = try #require(PositionBiasEstimator().estimate(Self.plantedSet(planted: planted)))
        #expect(bias.propensities.count == 10)
        #expect(bias.propensity(at: 0) == 1)
        for position in 1..<10 {
            let error = abs(bias.propensity(at: position) - planted[position])
            #expect(error < 0.06, "position \(position + 1): estimated \(bias.propensity(at: position)), planted \(planted[position])")
        }
        #expect(bias.propensity(at: 40) == bias.propensity(at: 9), "deeper positions share the last estimate")
    }

    @Test func weightsAreInversePropensitiesClipped() {
        let bias = PositionBias(propensities: [1, 0.5, 0.05], observations: [10, 10, 10], maxWeight: 10)
        #expect(bias.weight(at: 0) == 1)
        #expect(bias.weight(at: 1) == 2)
        #expect(bias.weight(at: 2) == 10)
        var set = Self.plantedSet(planted: Array(repeating: 1, count: 10), searches: 2)
        set.groups[1].firstPosition = 1
        set.labels = Array(repeating: 1, count: 20)
        let weights = set.clickWeights(bias)
        #expect(weights[0] == 1 && weights[1] == 2 && weights[2] == 10)
        #expect(weights[10] == 2, "the second search's page starts at absolute position 1")
    }

    @Test func noClicksBeyondTheFirstPositionGiveNoEstimate() {
        var planted = [Double](repeating: 0, count: 10)
        planted[0] = 1
        #expect(PositionBiasEstimator().estimate(Self.plantedSet(planted: planted, searches: 200)) == nil)
    }
}
